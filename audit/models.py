from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .chain import chain_append, chain_seal


def _now() -> Any:
    # Looked up at call time (not ``default=timezone.now``), so a clock set for the demo year holds.
    return timezone.now()


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[AuditEntry]:
        """Every way in seals the entries into the chain first (see audit/chain.py)."""
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            chain_seal(objs)
            return super().bulk_create(objs, *args, **kwargs)


class AuditEntry(models.Model):
    """One thing that happened: who, when, what, to which object, from which state.

    Append-only: the app never updates or deletes a row (``save`` refuses updates), and each
    row is hash-chained to the one before it, so a row changed in the database shows
    (``manage.py audit_verify``; audit/chain.py).
    """

    # Set when the entry is sealed, not by auto_now_add: the hash covers the time.
    at = models.DateTimeField(_("at"), default=_now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(_("object type"), max_length=60)
    target_id = models.BigIntegerField(_("object id"))
    from_state = models.CharField(_("from state"), max_length=30, blank=True)
    to_state = models.CharField(_("to state"), max_length=30, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    seq = models.BigIntegerField(_("sequence number"), unique=True, editable=False)
    prev_hash = models.CharField(_("hash of the entry before"), max_length=64, editable=False)
    row_hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only.")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            if connections[using].vendor != "postgresql":
                chain_seal([self])  # on PostgreSQL the insert itself seals it (_do_insert)
            super().save(*args, **kwargs)

    def _do_insert(self, manager: Any, using: str, fields: Any, returning_fields: Any, raw: bool) -> Any:
        """On PostgreSQL the entry takes its place in the chain within its insert: one statement
        instead of a head read and an insert (audit/chain.py ``chain_append``). Django's save
        machinery (signals, ``_state``, the returned id) stays as it is: only the INSERT differs.
        A raw save (``loaddata``) keeps the place and hashes it brings."""
        if raw or connections[using].vendor != "postgresql":
            # django-stubs do not declare this hook; Django 5.2 has it with this signature.
            return super()._do_insert(manager, using, fields, returning_fields, raw)  # type: ignore[misc]
        return chain_append(self, using=using, fields=fields, returning_fields=returning_fields)

    def append(self) -> None:
        """Write this new entry at the head of the chain: what ``save()`` writes, in the same
        one statement on PostgreSQL (:func:`chain_append`), without ``save``'s machinery around
        it (the project has no signal receivers on the trail). One entry per step, every step
        (issue 18). Elsewhere ``save()``."""
        using = router.db_for_write(type(self), instance=self)
        if self.pk is not None or connections[using].vendor != "postgresql":
            self.save(using=using)
            return
        meta = self._meta
        with transaction.atomic(using=using, savepoint=False):
            returned = chain_append(
                self, using=using, fields=_inserted_fields(meta), returning_fields=meta.db_returning_fields
            )
        for value, field in zip(returned[0], meta.db_returning_fields, strict=True):
            setattr(self, field.attname, value)
        self._state.adding = False
        self._state.db = using

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Audit entries are append-only.")


def _inserted_fields(meta: Any) -> list[Any]:
    """The columns ``save`` inserts (``Model._save_table``): the concrete ones but the generated id."""
    return [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]


class AuditCheckpoint(models.Model):
    """The head of the chain as the daily check saw it: a trail that no longer reaches a
    checkpoint's entry with the same hash has lost its newest rows."""

    at = models.DateTimeField(_("checked at"), default=_now)
    seq = models.BigIntegerField(_("sequence number"))
    row_hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} #{self.seq}"
