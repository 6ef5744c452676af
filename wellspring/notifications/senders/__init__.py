"""The senders behind one port (:class:`.base.Sender`): log, FCM, Huawei Push Kit, SMS."""
