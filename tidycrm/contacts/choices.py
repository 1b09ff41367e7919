from django.db import models


class LifecycleStage(models.TextChoices):
    SUBSCRIBER = "subscriber", "Subscriber"
    LEAD = "lead", "Lead"
    MQL = "marketing_qualified", "Marketing-qualified lead"
    SQL = "sales_qualified", "Sales-qualified lead"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"
    EVANGELIST = "evangelist", "Evangelist"
    OTHER = "other", "Other"


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CONNECTED = "connected", "Connected"
    UNQUALIFIED = "unqualified", "Unqualified"
    BAD_TIMING = "bad_timing", "Bad timing"


class LeadSource(models.TextChoices):
    WEBSITE = "website", "Website"
    REFERRAL = "referral", "Referral"
    EVENT = "event", "Event"
    COLD_OUTREACH = "cold_outreach", "Cold outreach"
    SOCIAL = "social", "Social media"
    ADVERTISING = "advertising", "Advertising"
    PARTNER = "partner", "Partner"
    IMPORT = "import", "Import"
    OTHER = "other", "Other"
