"""The outside world behind small interfaces: clock, email, SMS, payment gateway."""
