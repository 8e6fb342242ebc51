"""The four frameworks that ship with the product, read from assessments/frameworks/*.json as version 1."""

from django.db import migrations


def install(apps, schema_editor):
    from assessments import frameworks

    Framework = apps.get_model("assessments", "Framework")
    FrameworkVersion = apps.get_model("assessments", "FrameworkVersion")
    for definition in frameworks.shipped():
        frameworks.check_definition(definition)
        framework, created = Framework.objects.get_or_create(
            key=definition["key"], defaults={"name": definition["name"], "subject": definition["subject"],
                                             "description": definition.get("description", "")})
        if created:
            FrameworkVersion.objects.create(framework=framework, number=1, change_note="First version",
                                            definition={"sections": definition["sections"]})


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
