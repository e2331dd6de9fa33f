"""SMS through a provider chosen with KANAL_SMS_PROVIDER."""
