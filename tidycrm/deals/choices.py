from django.db import models


class StageKind(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class DealStatus(models.TextChoices):
    """A deal's status follows the kind of its stage; stored on the deal so lists and reports
    filter open/won/lost deals through an index instead of a join."""

    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class ContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", "Decision maker"
    CHAMPION = "champion", "Champion"
    INFLUENCER = "influencer", "Influencer"
    BUYER = "buyer", "Buyer"
    USER = "user", "User"
    TECHNICAL = "technical", "Technical evaluator"
    OTHER = "other", "Other"


class DealSource(models.TextChoices):
    WEBSITE = "website", "Website"
    REFERRAL = "referral", "Referral"
    EVENT = "event", "Event"
    COLD_OUTREACH = "cold_outreach", "Cold outreach"
    INBOUND = "inbound", "Inbound enquiry"
    PARTNER = "partner", "Partner"
    EXISTING_CUSTOMER = "existing_customer", "Existing customer"
    OTHER = "other", "Other"
