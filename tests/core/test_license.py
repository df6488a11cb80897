"""Free software: the project is licensed AGPL-3.0-or-later, and says so where people look."""

from __future__ import annotations

import configparser

from club.config import ROOT


def test_the_license_file_is_the_full_gnu_agpl_v3():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in text
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text.splitlines()) > 600


def test_the_package_metadata_and_readme_say_agpl_3_or_later():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert config["metadata"]["license"] == "AGPL-3.0-or-later"
    assert "LICENSE" in config["metadata"]["license_files"]
    assert "AGPL-3.0-or-later" in (ROOT / "README.md").read_text(encoding="utf-8")
