"""Reminders sent are the kernel's bookkeeping now (safeguarding.ReminderSent): today's rows move there, so a
reminder already sent today is not sent again after the upgrade."""

from django.db import migrations


def move(apps, schema_editor):
    old, new = apps.get_model("panels", "ReminderSent"), apps.get_model("safeguarding", "ReminderSent")
    new.objects.bulk_create(
        [new(kind=r.kind, key=r.key, person_id=r.person_id, day=r.day) for r in old.objects.iterator()],
        ignore_conflicts=True)


def move_back(apps, schema_editor):
    old, new = apps.get_model("panels", "ReminderSent"), apps.get_model("safeguarding", "ReminderSent")
    old.objects.bulk_create(
        [old(kind=r.kind, key=r.key, person_id=r.person_id, day=r.day) for r in new.objects.iterator()],
        ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("panels", "0002_action_without_reminded_on"),
        ("safeguarding", "0007_remindersent"),
    ]

    operations = [
        migrations.RunPython(move, move_back),
        migrations.DeleteModel(name="ReminderSent"),
    ]
