"""The facilitator's words for attributes and their values (inspector, tie forms)."""

from __future__ import annotations

from flask_babel import gettext as _

from .phone_words import choices as phone_choices

__all__ = ["attribute_names", "value_labels"]


def attribute_names() -> dict[str, str]:
    """The name of each node and tie attribute, in the user's language."""
    return {
        "consent": _("Name on shared screens"),
        "district": _("District"),
        "lives_alone": _("Lives alone"),
        "elderly_only": _("Elderly only"),
        "age_band": _("Age band"),
        "category": _("Category"),
        "season": _("Season"),
        "frequency": _("How often"),
        "stage": _("Idea stage"),
        "origin": _("Heard from"),
    }


def value_labels() -> dict[str, dict[str, str]]:
    """attribute → value → label, for every attribute with a closed list of values."""
    phone = {name: dict(pairs) for name, pairs in phone_choices().items()}
    return {
        **phone,
        "category": {
            **phone["category"],
            "kin": _("Family living apart"),
            "care": _("Professional care"),
            "salon": _("Salon"),
            "exercise": _("Exercise"),
        },
        "frequency": {
            "daily": _("Daily"),
            "weekly": _("Weekly"),
            "monthly": _("Monthly"),
            "rarely": _("Rarely"),
        },
        "consent": {
            "named": _("Full name (consent recorded)"),
            "initials": _("Initials only"),
            "anonymous": _("No name (a symbol)"),
        },
        "stage": {"proposed": _("Plan"), "trial": _("Trial"), "realised": _("Realised")},
        "origin": {"self": _("The person themself"), "hearsay": _("Heard from others")},
    }
