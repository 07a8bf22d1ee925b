"""The campaign (创建活动): a year's rules, standards, phases and quotas."""
