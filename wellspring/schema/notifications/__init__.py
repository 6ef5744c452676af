"""The in-app inbox and push registration (MyNotifications, MarkNotificationsRead,
RegisterPushDevice, UnregisterPushDevice)."""
