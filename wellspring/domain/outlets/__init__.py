"""Service outlets (服务网点): their desk, engineers, assessments and monthly settlements."""
