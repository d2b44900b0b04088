from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from portal.documents.enums import DocumentStatus


class GeneratedDocumentQuerySet(models.QuerySet):
    def for_owner(self, owner):
        content_type = ContentType.objects.get_for_model(owner, for_concrete_model=False)
        return self.filter(content_type=content_type, object_id=owner.pk)


class GeneratedDocument(models.Model):
    """One version of an official document rendered to PDF for an owner object.

    Drafts of decision documents may be re-rendered in place (preview); once issued a version is
    frozen and a correction creates the next version.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("content_type", "object_id")
    kind = models.CharField("type de document", max_length=60)
    version = models.PositiveIntegerField("version", default=1)
    status = models.CharField("état", max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.EN_ATTENTE)
    error = models.TextField("erreur", blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    # The date printed on the document ("A Arras, le …"): an input, fixed at request time, so
    # that rendering the same version again gives the same bytes.
    date_document = models.DateField("date du document")
    file = models.FileField("fichier", upload_to="documents/", blank=True)
    filename = models.CharField("nom du fichier", max_length=200, blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    page_count = models.PositiveIntegerField("nombre de pages", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandé par", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    issued_at = models.DateTimeField("émis le", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="émis par", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = GeneratedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document produit"
        verbose_name_plural = "documents produits"
        ordering = ["-version"]
        indexes = [models.Index(fields=["content_type", "object_id", "kind", "-version"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "version"], name="document_unique_version"
            ),
            models.CheckConstraint(
                condition=~Q(status=DocumentStatus.PRET) | (~Q(sha256="") & Q(page_count__isnull=False)),
                name="document_ready_has_hash_and_pages",
                violation_error_message="Un document prêt a une empreinte et un nombre de pages.",
            ),
            models.CheckConstraint(
                condition=Q(issued_at__isnull=True) | Q(status=DocumentStatus.PRET),
                name="document_issued_is_ready",
                violation_error_message="Seul un document prêt peut être émis.",
            ),
        ]

    def __str__(self):
        return f"{self.filename or self.kind} (version {self.version})"

    @property
    def is_ready(self):
        return self.status == DocumentStatus.PRET

    @property
    def is_issued(self):
        return self.issued_at is not None

    @property
    def is_pending(self):
        return self.status in (DocumentStatus.EN_ATTENTE, DocumentStatus.EN_COURS)
