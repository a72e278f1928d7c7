//! Opening hours as a coordinator writes them: values common in the wild
//! that the specification refuses are refused with their correction, and
//! `--fix-hours` applies the corrections and lists them, all or nothing.

use std::process::Command;

const RELAIS: &str = env!("CARGO_BIN_EXE_relais");

#[test]
fn hours_written_as_people_write_them_are_refused_with_a_correction_that_fix_hours_applies() {
    let dir = tempfile::tempdir().unwrap();
    let relais = |args: &[&str]| {
        Command::new(RELAIS)
            .args(args)
            .args(["--data-dir", "data", "--log", "warn"])
            .current_dir(dir.path())
            .env_remove("RELAIS_DATABASE_URL")
            .output()
            .unwrap()
    };
    std::fs::write(
        dir.path().join("t.toml"),
        "slug = \"t\"\nname = \"T\"\ncommunes = [\"62588\"]\n",
    )
    .unwrap();
    assert!(relais(&["migrate"]).status.success());
    assert!(relais(&["territory", "add", "t.toml"]).status.success());
    let header = "structure_id;structure_nom;structure_type;service_id;service_nom;besoins;code_insee;horaires_accueil;presentation;verifie_le\n";
    std::fs::write(
        dir.path().join("wild.csv"),
        format!(
            "{header}a;A (exemple);cidff;s1;Lieu un;legal;62588;Mon-Fri 9-17;Une permanence;2026-11-28\n\
             a;A (exemple);cidff;s2;Deux;legal;62588;\"lundi-vendredi 9h-12h;\";Une permanence;2026-11-28\n\
             a;A (exemple);cidff;s3;Trois;legal;62588;Mo-Fr 09:00–17:00;Une permanence;2026-11-28\n"
        ),
    )
    .unwrap();

    // Arrange done; without --fix-hours: refused, each with its correction.
    let refused = relais(&["directory", "import", "wild.csv", "--territory", "t"]);
    assert!(!refused.status.success());
    let errors = String::from_utf8(refused.stderr).unwrap();
    for expected in [
        "ligne 2, colonne horaires_accueil : « Mon-Fri 9-17 » n'est pas un horaire au format OpenStreetMap ; correction proposée : « Mo-Fr 09:00-17:00 »",
        "ligne 3, colonne horaires_accueil : « lundi-vendredi 9h-12h; » n'est pas un horaire au format OpenStreetMap ; correction proposée : « Mo-Fr 09:00-12:00 »",
        "ligne 4, colonne horaires_accueil : « Mo-Fr 09:00–17:00 » n'est pas un horaire au format OpenStreetMap ; correction proposée : « Mo-Fr 09:00-17:00 »",
        "Rien n'a été importé",
        "relancez avec --fix-hours",
    ] {
        assert!(errors.contains(expected), "{expected}\n{errors}");
    }

    // With --fix-hours: imported as corrected, each correction listed.
    let fixed = relais(&[
        "directory",
        "import",
        "wild.csv",
        "--territory",
        "t",
        "--fix-hours",
    ]);
    let stdout = String::from_utf8(fixed.stdout).unwrap();
    assert!(
        fixed.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    assert!(stdout.contains("3 services (3 nouveaux"), "{stdout}");
    assert!(
        stdout.contains(
            "ligne 2, colonne horaires_accueil : « Mon-Fri 9-17 » → « Mo-Fr 09:00-17:00 »"
        ),
        "{stdout}"
    );
    let exported = relais(&["directory", "export", "--territory", "t", "--format", "csv"]);
    let csv = String::from_utf8(exported.stdout).unwrap();
    assert!(
        csv.contains("Mo-Fr 09:00-12:00") && !csv.contains("Mon-Fri"),
        "{csv}"
    );

    // A value with no correction still refuses the whole file, even with
    // --fix-hours: nothing of it is imported.
    std::fs::write(
        dir.path().join("half.csv"),
        format!(
            "{header}a;A (exemple);cidff;s1;Un;legal;62588;Tu 14:00-17:00\n\
             a;A (exemple);cidff;s4;Quatre;legal;62588;quand on peut\n"
        ),
    )
    .unwrap();
    let half = relais(&[
        "directory",
        "import",
        "half.csv",
        "--territory",
        "t",
        "--fix-hours",
    ]);
    assert!(!half.status.success());
    let errors = String::from_utf8(half.stderr).unwrap();
    assert!(
        errors
            .contains("ligne 3, colonne horaires_accueil : « quand on peut » n'est pas un horaire"),
        "{errors}"
    );
    let exported = relais(&["directory", "export", "--territory", "t", "--format", "csv"]);
    let csv = String::from_utf8(exported.stdout).unwrap();
    assert!(
        !csv.contains("Tu 14:00-17:00") && !csv.contains("Quatre"),
        "{csv}"
    );
}
