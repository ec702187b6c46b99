from django.db import migrations


def add_seoul(apps, schema_editor):
    from seoullearn.core.geo import SEOUL_DISTRICTS

    Jurisdiction = apps.get_model("programmes", "Jurisdiction")
    District = apps.get_model("programmes", "District")
    seoul, _ = Jurisdiction.objects.get_or_create(
        slug="seoul", defaults={"name_ko": "서울특별시", "name_en": "Seoul"}
    )
    for d in SEOUL_DISTRICTS:
        District.objects.update_or_create(
            code=d.code,
            defaults={
                "jurisdiction": seoul,
                "slug": d.slug,
                "name_ko": d.name_ko,
                "name_en": d.name_en,
                "lat": d.lat,
                "lon": d.lon,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(add_seoul, migrations.RunPython.noop)]
