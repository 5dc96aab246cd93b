"""The standard objects every new workspace starts with (api-reference section 4), as data.

``seed_standard_objects(workspace)`` creates them with their fields and relations. Standard
objects and fields have ``isCustom = false``: they can be deactivated, never deleted.
"""

from __future__ import annotations

from typing import Any

from metadata_app.models import ObjectMetadata, Workspace
from metadata_app.services.fields import add_field, taken_names
from metadata_app.services.objects import add_default_fields, add_target_relations, add_timeline_relation

__all__ = [
    "SEARCH_FIELDS",
    "STANDARD_OBJECTS",
    "STANDARD_RELATIONS",
    "TIMELINE_TARGETS",
    "install_timeline_and_attachments",
    "seed_standard_objects",
]


def select_options(*values: str) -> list[dict[str, Any]]:
    """Options of a standard SELECT field, labelled from their values."""
    colors = ("red", "purple", "sky", "turquoise", "yellow", "green", "blue")
    return [
        {
            "id": f"00000000-0000-4000-8000-{index:012d}",
            "label": value.replace("_", " ").title(),
            "value": value,
            "color": colors[index % len(colors)],
            "position": index,
        }
        for index, value in enumerate(values)
    ]


# name -> (plural, label singular, label plural, icon, label identifier, fields, duplicate criteria)
# each field: (name, type, extra attributes)
STANDARD_OBJECTS: dict[str, dict[str, Any]] = {
    "workspaceMember": {
        "plural": "workspaceMembers",
        "labels": ("Workspace Member", "Workspace Members"),
        "icon": "IconUserCircle",
        "system": True,
        "identifier": "name",
        "fields": [
            ("name", "FULL_NAME", {}),
            ("userEmail", "TEXT", {"default_value": ""}),
            ("colorScheme", "TEXT", {"default_value": "System"}),
            ("locale", "TEXT", {"default_value": "en"}),
        ],
    },
    "company": {
        "plural": "companies",
        "labels": ("Company", "Companies"),
        "icon": "IconBuildingSkyscraper",
        "identifier": "name",
        "fields": [
            ("name", "TEXT", {"default_value": ""}),
            ("domainName", "LINKS", {"is_unique": True}),
            ("employees", "NUMBER", {"settings": {"dataType": "int"}}),
            ("linkedinLink", "LINKS", {}),
            ("xLink", "LINKS", {}),
            ("annualRecurringRevenue", "CURRENCY", {}),
            ("address", "ADDRESS", {}),
            ("idealCustomerProfile", "BOOLEAN", {"default_value": False, "is_nullable": False}),
        ],
        "duplicates": [["name"], ["domainName.primaryLinkUrl"]],
    },
    "person": {
        "plural": "people",
        "labels": ("Person", "People"),
        "icon": "IconUser",
        "identifier": "name",
        "fields": [
            ("name", "FULL_NAME", {}),
            ("emails", "EMAILS", {"is_unique": True}),
            ("linkedinLink", "LINKS", {}),
            ("xLink", "LINKS", {}),
            ("jobTitle", "TEXT", {"default_value": ""}),
            ("phones", "PHONES", {}),
            ("city", "TEXT", {"default_value": ""}),
            ("avatarUrl", "TEXT", {"default_value": ""}),
        ],
        "duplicates": [["name.firstName", "name.lastName"], ["emails.primaryEmail"]],
    },
    "opportunity": {
        "plural": "opportunities",
        "labels": ("Opportunity", "Opportunities"),
        "icon": "IconTargetArrow",
        "identifier": "name",
        "fields": [
            ("name", "TEXT", {"default_value": ""}),
            ("amount", "CURRENCY", {}),
            ("closeDate", "DATE_TIME", {}),
            (
                "stage",
                "SELECT",
                {
                    "options": select_options("NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"),
                    "default_value": "NEW",
                    "is_nullable": False,
                },
            ),
        ],
        "duplicates": [["name"]],
    },
    "note": {
        "plural": "notes",
        "labels": ("Note", "Notes"),
        "icon": "IconNotes",
        "identifier": "title",
        "fields": [("title", "TEXT", {"default_value": ""}), ("bodyV2", "RICH_TEXT_V2", {})],
    },
    "task": {
        "plural": "tasks",
        "labels": ("Task", "Tasks"),
        "icon": "IconCheckbox",
        "identifier": "title",
        "fields": [
            ("title", "TEXT", {"default_value": ""}),
            ("bodyV2", "RICH_TEXT_V2", {}),
            ("dueAt", "DATE_TIME", {}),
            ("status", "SELECT", {"options": select_options("TODO", "IN_PROGRESS", "DONE"), "default_value": "TODO"}),
        ],
    },
    "noteTarget": {
        "plural": "noteTargets",
        "labels": ("Note Target", "Note Targets"),
        "icon": "IconCheckbox",
        "system": True,
        "identifier": None,
        "fields": [],
    },
    "taskTarget": {
        "plural": "taskTargets",
        "labels": ("Task Target", "Task Targets"),
        "icon": "IconCheckbox",
        "system": True,
        "identifier": None,
        "fields": [],
    },
    # The audit trail (api-reference §16): written by the record service, read-only through the API.
    "timelineActivity": {
        "plural": "timelineActivities",
        "labels": ("Timeline Activity", "Timeline Activities"),
        "icon": "IconTimelineEvent",
        "system": True,
        "identifier": "name",
        "fields": [
            ("happensAt", "DATE_TIME", {"is_indexed": True}),
            ("name", "TEXT", {"default_value": ""}),
            ("properties", "RAW_JSON", {}),
            ("linkedRecordCachedName", "TEXT", {"default_value": ""}),
            ("linkedRecordId", "UUID", {}),
            ("linkedObjectMetadataId", "UUID", {}),
        ],
    },
    # Attachments (api-reference §17): an ordinary object; ``fullPath`` is an opaque string, no bytes are stored.
    "attachment": {
        "plural": "attachments",
        "labels": ("Attachment", "Attachments"),
        "icon": "IconFileImport",
        "system": True,
        "identifier": "name",
        "fields": [
            ("name", "TEXT", {"default_value": ""}),
            ("fullPath", "TEXT", {"default_value": ""}),
            ("type", "TEXT", {"default_value": ""}),
            (
                "fileCategory",
                "SELECT",
                {
                    "options": select_options(
                        "ARCHIVE", "AUDIO", "IMAGE", "PRESENTATION", "SPREADSHEET", "TEXT_DOCUMENT", "VIDEO", "OTHER"
                    ),
                    "default_value": "OTHER",
                    "is_nullable": False,
                },
            ),
        ],
    },
}

#: Twenty's search fields of the standard objects (api-reference §4 and §13.2): ``isSearchable`` from the start.
SEARCH_FIELDS: dict[str, tuple[str, ...]] = {
    "person": ("name", "emails", "phones", "jobTitle"),
    "company": ("name", "domainName"),
    "opportunity": ("name",),
    "note": ("title", "bodyV2"),
    "task": ("title", "bodyV2"),
}

# (object, MANY_TO_ONE field, target object, ONE_TO_MANY field on the target, on delete)
STANDARD_RELATIONS = (
    ("person", "company", "company", "people", "SET_NULL"),
    ("opportunity", "company", "company", "opportunities", "SET_NULL"),
    ("opportunity", "pointOfContact", "person", "pointOfContactForOpportunities", "SET_NULL"),
    ("company", "accountOwner", "workspaceMember", "accountOwnerForCompanies", "SET_NULL"),
    ("task", "assignee", "workspaceMember", "assignedTasks", "SET_NULL"),
    ("noteTarget", "note", "note", "noteTargets", "CASCADE"),
    ("taskTarget", "task", "task", "taskTargets", "CASCADE"),
    ("timelineActivity", "workspaceMember", "workspaceMember", "timelineActivities", "SET_NULL"),
    ("attachment", "author", "workspaceMember", "authoredAttachments", "SET_NULL"),
    ("attachment", "task", "task", "attachments", "SET_NULL"),
    ("attachment", "note", "note", "attachments", "SET_NULL"),
)
#: Objects that notes, tasks and attachments can be attached to from the start (attachments cascade).
TARGETABLE = ("person", "company", "opportunity")
#: Standard objects whose changes the timeline records (api-reference §16.2: business objects; custom ones too).
TIMELINE_TARGETS = ("person", "company", "opportunity", "note", "task")
#: Objects added after the first release: existing workspaces get them through a migration.
ADDED_OBJECTS = ("timelineActivity", "attachment")


def label_of(name: str) -> str:
    """``pointOfContact`` -> ``Point of contact``."""
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()
    return words[:1].upper() + words[1:]


def relate(many: ObjectMetadata, name: str, one: ObjectMetadata, inverse: str, on_delete: str) -> None:
    """Create a standard MANY_TO_ONE relation and its ONE_TO_MANY counterpart."""
    source = add_field(
        many,
        name=name,
        type="RELATION",
        label=label_of(name),
        is_custom=False,
        relation_target_object=one,
        settings={"relationType": "MANY_TO_ONE", "onDelete": on_delete},
    )
    target = add_field(
        one,
        name=inverse,
        type="RELATION",
        label=label_of(inverse),
        is_custom=False,
        relation_target_object=many,
        relation_target_field=source,
        settings={"relationType": "ONE_TO_MANY", "onDelete": on_delete},
    )
    source.relation_target_field = target
    source.save(update_fields=["relation_target_field", "updated_at"])


def seed_standard_objects(workspace: Workspace) -> dict[str, ObjectMetadata]:
    """Create the standard objects, fields and relations of a new workspace; return them by name."""
    created: dict[str, ObjectMetadata] = {}
    for singular, spec in STANDARD_OBJECTS.items():
        obj = ObjectMetadata.objects.create(
            workspace=workspace,
            name_singular=singular,
            name_plural=spec["plural"],
            label_singular=spec["labels"][0],
            label_plural=spec["labels"][1],
            icon=spec["icon"],
            is_custom=False,
            is_system=spec.get("system", False),
            # System objects are not searched (api-reference §13.2).
            is_searchable=not spec.get("system", False),
            duplicate_criteria=spec.get("duplicates", []),
        )
        add_default_fields(obj, name_field=False)
        for name, type_, extra in spec["fields"]:
            # The label identifier is indexed, as Twenty indexes it (sorting by name is common).
            indexed = {"is_indexed": True} if name == spec["identifier"] else {}
            searchable = {"is_searchable": True} if name in SEARCH_FIELDS.get(singular, ()) else {}
            field = add_field(
                obj, name=name, type=type_, label=label_of(name), is_custom=False, **extra, **indexed, **searchable
            )
            if name == spec["identifier"]:
                obj.label_identifier_field_metadata_id = field.pk
        obj.save()
        created[singular] = obj
    for many, name, one, inverse, on_delete in STANDARD_RELATIONS:
        relate(created[many], name, created[one], inverse, on_delete)
    for name in TARGETABLE:
        add_target_relations(created[name])
    for name in TIMELINE_TARGETS:
        add_timeline_relation(created[name])
    return created


def create_standard_object(workspace: Workspace, singular: str) -> ObjectMetadata:
    """Create one standard object of ``STANDARD_OBJECTS`` with its own fields (no relations)."""
    spec = STANDARD_OBJECTS[singular]
    obj = ObjectMetadata.objects.create(
        workspace=workspace,
        name_singular=singular,
        name_plural=spec["plural"],
        label_singular=spec["labels"][0],
        label_plural=spec["labels"][1],
        icon=spec["icon"],
        is_custom=False,
        is_system=spec.get("system", False),
        duplicate_criteria=spec.get("duplicates", []),
    )
    add_default_fields(obj, name_field=False)
    for name, type_, extra in spec["fields"]:
        indexed = {"is_indexed": True} if name == spec["identifier"] else {}
        field = add_field(obj, name=name, type=type_, label=label_of(name), is_custom=False, **{**extra, **indexed})
        if name == spec["identifier"]:
            obj.label_identifier_field_metadata_id = field.pk
    obj.save()
    return obj


def install_timeline_and_attachments(workspace: Workspace) -> bool:
    """Give a workspace created before them ``timelineActivities`` and ``attachments`` with their relations.

    Idempotent (a workspace that has them is left alone; answers False). Every business and custom
    object gets its ``timelineActivities`` and, for targetable and custom ones, ``attachments``,
    unless it already has a field of that name (a custom field keeps it; the relation is then skipped).
    """
    present = set(
        ObjectMetadata.objects.filter(workspace=workspace, name_singular__in=ADDED_OBJECTS).values_list(
            "name_singular", flat=True
        )
    )
    if present == set(ADDED_OBJECTS):
        return False
    objects = {o.name_singular: o for o in ObjectMetadata.objects.filter(workspace=workspace)}
    for singular in ADDED_OBJECTS:
        if singular not in present:
            objects[singular] = create_standard_object(workspace, singular)
    for many, name, one, inverse, on_delete in STANDARD_RELATIONS:
        if (
            many in ADDED_OBJECTS
            and many not in present
            and one in objects
            and inverse not in taken_names(objects[one])
        ):
            relate(objects[many], name, objects[one], inverse, on_delete)
    custom = [o for o in objects.values() if o.is_custom]
    if "attachment" not in present:
        for obj in [objects[n] for n in TARGETABLE if n in objects] + custom:
            if "attachments" not in taken_names(obj):
                add_target_relations(obj, targets=("attachment",))
    if "timelineActivity" not in present:
        for obj in [objects[n] for n in TIMELINE_TARGETS if n in objects] + custom:
            if "timelineActivities" not in taken_names(obj):
                add_timeline_relation(obj)
    return True
