"""What an undo took back, said in the facilitator's words (dashboard notice and API answer)."""

from __future__ import annotations

from typing import Any

__all__ = ["undone_text"]

#: Event type → (Japanese, English) name of the change, with ``{label}`` where one is known.
_CHANGES: dict[str, tuple[str, str]] = {
    "add_node": ("「{label}」の追加", "adding “{label}”"),
    "update_node": ("「{label}」の編集", "the edit of “{label}”"),
    "remove_node": ("「{label}」の削除", "removing “{label}”"),
    "merge_nodes": ("「{label}」の統合", "merging “{label}”"),
    "add_tie": ("つながりの追加", "adding a tie"),
    "update_tie": ("つながりの編集", "the edit of a tie"),
    "remove_tie": ("つながりの削除", "removing a tie"),
    "approve_note": ("「{label}」の承認", "approving “{label}”"),
    "hide_note": ("付箋を隠したこと", "hiding a note"),
    "merge_note": ("付箋の統合", "merging a note"),
    "move_node": ("「{label}」の移動", "moving “{label}”"),
    "reset_positions": ("並びを元に戻したこと", "resetting the arrangement"),
    "import": ("読み込み", "the import"),
    "hide_phone": ("端末の付箋をまとめて隠したこと", "hiding a phone's notes"),
    "block_phone": ("端末のブロック", "blocking a phone"),
    "unblock_phone": ("端末のブロック解除", "unblocking a phone"),
}


def _label(payload: dict[str, Any]) -> str:
    if payload.get("label"):
        return str(payload["label"])
    for change in payload.get("changes", []):
        if change["table"] in ("nodes", "notes"):
            row = change["after"] or change["before"] or {}
            text = row.get("label") or row.get("text")
            if text:
                return str(text)
    return str(payload.get("node") or "")


def undone_text(undone_type: str, payload: dict[str, Any], lang: str = "ja") -> str:
    """「「佐藤さん」の削除を取り消しました」 for the event an undo took back."""
    ja, en = _CHANGES.get(undone_type, ("変更", "a change"))
    label = _label(payload)
    if not label:
        ja, en = ja.replace("「{label}」の", ""), en.replace(" “{label}”", "")
    if lang == "ja":
        return ja.format(label=label) + "を取り消しました"
    text = en.format(label=label)
    return f"Undid {text}"
