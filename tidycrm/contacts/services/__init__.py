"""The one door for contacts: every channel creates, changes and deletes people here.

1. standardise every field (raw input kept beside the standard form)
2. validate: a bad value is a field error, never a crash
3. duplicates: candidates by match keys; the channel's policy decides block or warn
4. persist in one transaction with an audit record naming the channel
5. emit contact.created / contact.updated, delivered after commit
"""

from tidycrm.contacts.services.bulk import BulkResult, save_contacts_bulk
from tidycrm.contacts.services.standardise import FIELDS, standardise
from tidycrm.contacts.services.tokens import contact_tokens, refresh_search_tokens
from tidycrm.contacts.services.write import delete_contact, save_contact

__all__ = [
    "FIELDS",
    "BulkResult",
    "contact_tokens",
    "delete_contact",
    "refresh_search_tokens",
    "save_contact",
    "save_contacts_bulk",
    "standardise",
]
