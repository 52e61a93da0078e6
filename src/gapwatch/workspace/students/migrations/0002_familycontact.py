from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("students", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="FamilyContact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("student_id", models.CharField(max_length=64)),
                ("school_id", models.CharField(max_length=64)),
                ("school_year", models.IntegerField()),
                ("date", models.DateField()),
                ("kind", models.CharField(choices=[("progress_letter", "progress letter")],
                                          max_length=32)),
                ("language", models.CharField(blank=True, max_length=16)),
                ("recorded_by", models.CharField(max_length=150)),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"ordering": ["-recorded_at", "-id"],
                     "indexes": [models.Index(fields=["student_id", "-recorded_at"],
                                              name="students_fa_student_6c1f2e_idx")]},
        ),
    ]
