from bianmin.registry.models.divisions import Division, DivisionLevel, Grid
from bianmin.registry.models.imports import ImportJob, ImportStatus
from bianmin.registry.models.org import Department, OrgUnit, OrgUnitKind, Role, Staff
from bianmin.registry.models.organisations import Organisation
from bianmin.registry.models.people import (
    Household,
    LifeStatus,
    Person,
    PersonTag,
    Relationship,
    ResidenceType,
    Sex,
    Tag,
)

__all__ = [
    "Department",
    "Division",
    "DivisionLevel",
    "Grid",
    "Household",
    "ImportJob",
    "ImportStatus",
    "LifeStatus",
    "OrgUnit",
    "OrgUnitKind",
    "Organisation",
    "Person",
    "PersonTag",
    "Relationship",
    "ResidenceType",
    "Role",
    "Sex",
    "Staff",
    "Tag",
]
