"""A Moodle XML file too large for Moodle's importer is said so, with the size that fits.

Moodle reads an XML import whole with PHP's xml_parse_into_struct (lib/xmlize.php); PHP's
libxml2 parser refuses a document of more than 10,000,000 bytes in one call ("No memory"), so
a 2,500-problem export (10.8 MB) did not import, and nothing said so.
"""

import shutil
import subprocess

import pytest

from rnnquiz.export import moodle

# A document of exactly N bytes, parsed as Moodle's xmlize parses an import.
PHP_PARSE = r"""
$n = (int)$argv[1];
$head = "<quiz>"; $tail = "</quiz>"; $item = "<a>" . str_repeat("x", 50) . "</a>\n";
$body = str_repeat($item, intdiv($n - strlen($head) - strlen($tail), strlen($item)));
$data = $head . $body . str_repeat(" ", $n - strlen($head . $body . $tail)) . $tail;
$parser = xml_parser_create("UTF-8");
xml_parser_set_option($parser, XML_OPTION_CASE_FOLDING, 0);
xml_parser_set_option($parser, XML_OPTION_SKIP_WHITE, 0);
$ok = xml_parse_into_struct($parser, $data, $vals);
echo strlen($data), " ", $ok ? "ok" : xml_error_string(xml_get_error_code($parser));
"""


def test_the_note_comes_past_the_limit_only():
    assert moodle.size_note(moodle.PARSER_LIMIT, 2000) is None
    note = moodle.size_note(43_000_000, 10_000)
    assert "43.0 MB" in note and "10 MB" in note
    fits = int(note.split("at most about ")[1].split(" ")[0].replace(",", ""))
    assert fits * 43_000_000 / 10_000 < moodle.PARSER_LIMIT  # that many do fit
    assert fits > 0.8 * 10_000 * moodle.PARSER_LIMIT / 43_000_000


@pytest.mark.parametrize("to_file", [True, False])
def test_the_export_says_when_its_moodle_xml_is_too_large_to_import(tmp_path, monkeypatch,
                                                                    to_file):
    from click.testing import CliRunner

    from rnnquiz.cli import cli

    out = tmp_path / "quiz.xml"
    args = ["export", "--format", "moodle", "--count", "5", "--seed", "2"]
    args += ["-o", str(out)] if to_file else []
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and "Moodle's XML import" not in result.stderr
    size = len((out.read_text(encoding="utf-8") if to_file else result.stdout).encode())
    monkeypatch.setattr(moodle, "PARSER_LIMIT", size - 1)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    notes = [line for line in result.stderr.splitlines() if "Moodle's XML import" in line]
    assert len(notes) == 1 and f"{size / 1e6:.1f} MB" in notes[0]
    assert notes[0].startswith(f"note: {out if to_file else 'the output'} is ")


@pytest.mark.skipif(not shutil.which("php"), reason="PHP is not installed")
def test_phps_parser_takes_a_document_at_the_limit_and_refuses_one_past_it():
    def parse(size):
        done = subprocess.run(["php", "-d", "memory_limit=-1", "-r", PHP_PARSE, str(size)],
                              capture_output=True, text=True, timeout=120)
        return done.stdout
    assert parse(moodle.PARSER_LIMIT) == f"{moodle.PARSER_LIMIT} ok"
    past = parse(moodle.PARSER_LIMIT + 1000)
    if past.endswith(" ok"):
        pytest.skip("this PHP's libxml2 takes larger documents (Moodle's servers may not)")
    assert past == f"{moodle.PARSER_LIMIT + 1000} No memory"
