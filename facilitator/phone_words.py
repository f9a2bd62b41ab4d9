"""What a phone offers: the kinds' examples, the attribute choices, the diagnosis words."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

__all__ = [
    "DIAGNOSIS_WORDS",
    "PRIVATE_KINDS",
    "KIND_EXAMPLES",
    "KIND_ATTRIBUTES",
    "ALL_ATTRIBUTES",
    "PHONE_TIE_KINDS",
    "choices",
    "status_labels",
    "diagnosis_words",
]

#: Diagnosis words that do not belong on a sticky note about a neighbour (DESIGN.md §6).
#: 病 alone is checked too, but not in 病院/病棟/病室 (a place, not a diagnosis).
DIAGNOSIS_WORDS = (
    "認知症",
    "アルツハイマー",
    "がん",
    "癌",
    "障害",
    "障がい",
    "麻痺",
    "うつ",
    "鬱",
    "統合失調",
    "糖尿病",
    "脳梗塞",
    "脳卒中",
    "パーキンソン",
    "透析",
    "病",
)
_DIAGNOSIS_RE = re.compile(
    "|".join(re.escape(w) if w != "病" else "病(?![院棟室])" for w in DIAGNOSIS_WORDS)
)
#: The kinds whose notes describe a particular person, so the diagnosis check applies.
PRIVATE_KINDS = ("person", "household", "need")

#: Treasure-hunt prompts under each kind button (the six ABCD asset categories).
KIND_EXAMPLES = {
    "person": (
        _l("Tanaka-san who brings vegetables from her field"),
        _l("Someone good at shogi"),
        _l("The neighbour who clears snow early"),
    ),
    "household": (_l("The Sato home, living alone"), _l("The elderly couple up the hill")),
    "group": (_l("Kurinoki salon"), _l("Seniors' club"), _l("Neighbourhood association")),
    "place": (_l("Welfare hall"), _l("Mobile shop stop"), _l("The shrine grounds")),
    "institution": (_l("Community support centre"), _l("Post office"), _l("Clinic")),
    "activity": (_l("Morning radio exercises"), _l("Snow-clearing team"), _l("Tea club")),
    "story": (_l("Lion dance at the autumn festival"), _l("When this was a coal town")),
    "need": (_l("Taking out the rubbish is hard"), _l("No way to get to the clinic")),
    "idea": (_l("A snow-clearing rota"), _l("Rides to the salon")),
}

#: The optional attributes a phone may send with each kind; anything else is ignored.
KIND_ATTRIBUTES = {
    "person": ("age_band",),
    "household": ("lives_alone",),
    "need": ("category",),
    "activity": ("category", "season"),
}
ALL_ATTRIBUTES = ("age_band", "lives_alone", "category", "season")

#: The tie kinds a phone can choose ("who helps whom"), in button order.
PHONE_TIE_KINDS = ("watch", "snow", "ride", "errand", "share", "talk", "member", "role", "kin")


#: Where a long English kind name may break in the phone's 3 × 3 grid (a soft hyphen): at
#: 16 px "Household" and "Institution" are wider than a cell of a 360 px phone.
GRID_BREAKS = {"Household": "House\u00adhold", "Institution": "Insti\u00adtution"}


def choices():
    """Labels of the attribute values offered on the phone, in the user's language."""
    return {
        "age_band": (
            ("under-65", _("Under 65")),
            ("65-74", _("65 to 74")),
            ("75-84", _("75 to 84")),
            ("85+", _("85 or older")),
        ),
        "category": (
            ("watch", _("Watching over")),
            ("snow", _("Snow clearing")),
            ("ride", _("Rides")),
            ("errand", _("Shopping and rubbish")),
            ("share", _("Sharing food")),
            ("talk", _("Someone to talk to")),
            ("other", _("Other help")),
        ),
        "season": (
            ("all_year", _("All year")),
            ("winter_only", _("Winter only")),
            ("not_in_winter", _("Not in winter")),
        ),
    }


def status_labels():
    return {
        "pending": _("Waiting for the facilitator"),
        "approved": _("On the map"),
        "merged": _("On the map"),
        "hidden": _("Not shown"),
    }


def diagnosis_words(text: str) -> list[str]:
    """The diagnosis words in ``text``, in order of appearance, without repeats.

    >>> diagnosis_words("母が認知症で、ゴミ出しが大変")
    ['認知症']
    >>> diagnosis_words("病院へ行く足がない")
    []
    >>> diagnosis_words("糖尿病")
    ['糖尿病']
    """
    text = unicodedata.normalize("NFKC", text or "")
    return list(dict.fromkeys(m.group(0) for m in _DIAGNOSIS_RE.finditer(text)))
