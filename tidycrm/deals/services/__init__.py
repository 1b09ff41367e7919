"""Every write to pipelines, stages, loss reasons and deals: checked, audited, announced."""

from tidycrm.deals.services.deals import create_deal, delete_deal, move_deal, update_deal
from tidycrm.deals.services.settings import (
    delete_loss_reason,
    delete_pipeline,
    delete_stage,
    save_loss_reason,
    save_pipeline,
    save_stage,
)

__all__ = [
    "create_deal",
    "delete_deal",
    "delete_loss_reason",
    "delete_pipeline",
    "delete_stage",
    "move_deal",
    "save_loss_reason",
    "save_pipeline",
    "save_stage",
    "update_deal",
]
