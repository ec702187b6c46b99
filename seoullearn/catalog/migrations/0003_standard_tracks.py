from django.db import migrations

TRACKS = [
    ("elementary", "초등", "Elementary", "curricular", "curricular", 10),
    ("middle", "중학", "Middle school", "curricular", "curricular", 20),
    ("high", "고등", "High school", "curricular", "curricular", 30),
    ("ged", "검정고시", "GED (검정고시)", "curricular", "curricular", 40),
    ("certificate", "자격증", "Certificates", "non_curricular", "certificate", 50),
    ("reading", "독서", "Reading and audiobooks", "non_curricular", "reading", 60),
]


def add_tracks(apps, schema_editor):
    Track = apps.get_model("catalog", "Track")
    for code, ko, en, kind, group, order in TRACKS:
        Track.objects.update_or_create(
            code=code,
            defaults={"name_ko": ko, "name_en": en, "kind": kind, "slot_group": group, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_tracks_offerings_policy")]
    operations = [migrations.RunPython(add_tracks, migrations.RunPython.noop)]
