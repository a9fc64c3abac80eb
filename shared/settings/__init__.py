"""Shop settings (系统参数设置): profile, payment methods, delivery regions, business hours, notification channels."""
