"""Issue 14, exact error messages: each unreadable raw file is reported with its real problem, the
file and the line; valid RFC 4180 CSV loads whatever the sniffer would have guessed (a first quoted
value at row 30,000, mixed line endings); flag reasons never print a false inequality.

The messages come from the preflight alone (no dbt); one small dbt build proves that the dbt
reader reads the same files with the same values.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path
from types import SimpleNamespace

import duckdb
import jinja2
import pytest
from conftest import PROJECT_ROOT, BuildFn, query

from labelhouse.contract import CSV_READ_POLICY, CsvDialect, csv_dialect, dbt_vars, duckdb_csv_options
from labelhouse.errors import PreflightError
from labelhouse.preflight import explain_read_error, preflight, read_csv_strictly

HEADER = "annotation_id,item_id,project_id,annotator_id,label,submitted_at"


def rows(start: int, stop: int, eol: str = "\n", prefix: str = "a") -> str:
    return "".join(f"{prefix}{i},i{i},p1,A,hate,2026-10-01T10:00:00Z{eol}" for i in range(start, stop))


def raw_dir(tmp_path: Path, name: str, content: bytes) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / name).write_bytes(content)
    return raw


def refused(raw: Path) -> str:
    with pytest.raises(PreflightError) as info:
        preflight(raw)
    return str(info.value)


# --------------------------------------------------------------------------------------------
# What is wrong, where
# --------------------------------------------------------------------------------------------


def test_csv_the_sniffer_rejects_names_the_line_and_the_field_counts(tmp_path: Path) -> None:
    """Valid UTF-8 (with Thai and an emoji), one row with an extra field inside the sniffer's sample.
    With the dialect stated DuckDB's sniffer refuses it, and its message lists 'Encoding: utf-8'
    (read before as 'not valid UTF-8'); with the dialect sniffed, the file was taken as one column
    and reported as missing every required column."""
    text = HEADER + "\n" + rows(0, 3) + "a3,i3,p1,A,hate,2026-10-01T10:00:00Z,ภาษาไทย 🙂\n" + rows(4, 50)
    message = refused(raw_dir(tmp_path, "annotations_2026-10-01.csv", text.encode()))
    assert "'annotations_2026-10-01.csv' (annotations) cannot be read as csv" in message
    assert "line 5 has 7 fields but the header has 6" in message
    assert "UTF-8" not in message and "utf-8" not in message


def test_truncated_csv_gz_is_a_truncated_gzip_file_not_parquet(tmp_path: Path) -> None:
    """The temporary path holds the word 'truncated', as a user's path may: the old reading of
    DuckDB's message matched it and blamed a Parquet footer."""
    data = gzip.compress((HEADER + "\n" + rows(0, 20_000)).encode())
    cut = data[: len(data) // 2]
    complete_lines = zlib.decompressobj(wbits=31).decompress(cut).count(b"\n")
    assert 0 < complete_lines < 20_000
    message = refused(raw_dir(tmp_path / "truncated_export", "annotations_truncated.csv.gz", cut))
    assert "'annotations_truncated.csv.gz' (annotations) cannot be read as csv" in message
    assert f"the gzip file is truncated: its compressed data ends abruptly after line {complete_lines} " in message
    assert "Parquet" not in message and "UTF-8" not in message


@pytest.mark.parametrize("bad_line", [40, 30_002], ids=["in-sniffer-sample", "past-sniffer-sample"])
def test_latin1_bytes_are_invalid_utf8_at_their_line(tmp_path: Path, bad_line: int) -> None:
    """Past the sniffer's sample the old preflight (count(*) reads no value) let the file through."""
    lines = [HEADER.encode()] + [line.encode() for line in rows(0, 30_010).splitlines()]
    lines[bad_line - 1] = "a_x,i_x,p1,Zoë Ménard,hate,2026-10-01T10:00:00Z".encode("latin-1")
    message = refused(raw_dir(tmp_path, "annotations_latin1.csv", b"\n".join(lines) + b"\n"))
    assert "'annotations_latin1.csv' (annotations) cannot be read as csv" in message
    # 'Zoë': the ë (0xEB in Latin-1) is the 14th character of the line
    assert (
        f"the file is not valid UTF-8 (line {bad_line}, column 14: byte 0xEB, which is 'ë' in Windows-1252" in message
    )


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ('b1,"i1"x,p1,A,hate,2026-10-01T10:00:00Z\n', "line 30002: a quoted value is followed by other characters"),
        (
            'b1,"i1,p1,A,hate,2026-10-01T10:00:00Z\n',
            "the row that starts on line 30002 opens a quoted value that is never closed",
        ),
        ("b1,i1,p1,A,hate\n", "line 30002 has 5 fields but the header has 6"),
    ],
    ids=["text-after-closing-quote", "quote-never-closed", "missing-field"],
)
def test_rfc4180_violations_past_the_sample(tmp_path: Path, bad_row: str, problem: str) -> None:
    text = HEADER + "\n" + rows(0, 30_000) + bad_row + rows(30_000, 30_010)
    message = refused(raw_dir(tmp_path, "annotations.csv", text.encode()))
    assert problem in message and "UTF-8" not in message


def test_duckdb_message_words_in_paths_prove_nothing() -> None:
    path = Path("exports/truncated_utf8/annotations.csv.gz")
    gz = f"IO Error: Unexpected end of GZIP stream: {path}"
    assert explain_read_error(gz, "csv", path).startswith("the gzip file is truncated")
    sniffed = (
        f'Invalid Input Error: Error when sniffing file "{path}".\nIt was not possible to automatically detect '
        "the CSV parsing dialect\nEncoding: utf-8\n* Make sure you are using the correct file encoding."
    )
    assert "UTF-8" not in explain_read_error(sniffed, "csv", path)
    assert "Parquet" not in explain_read_error(f"IO Error: Could not read {path}: file truncated", "csv", path)


# --------------------------------------------------------------------------------------------
# Valid files that the sniffer or strict mode would refuse or misread
# --------------------------------------------------------------------------------------------


def late_quoted_csv() -> bytes:
    """RFC 4180 with no quote before row 30,000: then a quoted id and label, a quoted comma, a doubled
    quote and a line break inside a value."""
    special = (
        '"a30000",i30000,p1,A,"hate",2026-10-01T10:00:00Z\n'
        'a30001,"i, ""quoted""\nsecond line",p1,A,hate,2026-10-01T10:00:00Z\n'
    )
    return (HEADER + "\n" + rows(0, 30_000) + special + rows(30_002, 30_010)).encode()


def mixed_line_endings_csv() -> bytes:
    """A header fixed by hand in an editor (LF) over CRLF rows, then rows appended with LF."""
    return (HEADER + "\n" + rows(0, 5, "\r\n", prefix="m") + rows(5, 8, prefix="m")).encode()


def test_preflight_reads_late_quotes_and_mixed_line_endings(tmp_path: Path) -> None:
    raw = raw_dir(tmp_path, "annotations_late.csv", late_quoted_csv())
    (raw / "annotations_mixed.csv").write_bytes(mixed_line_endings_csv())
    report = preflight(raw)
    counted = {f.path.name: (f.n_rows, f.columns) for f in report.files}
    assert counted["annotations_mixed.csv"] == (8, HEADER.split(","))
    assert counted["annotations_late.csv"] == (30_010, HEADER.split(","))


def test_dbt_reads_the_contract_dialect(tmp_path: Path, build_warehouse: BuildFn) -> None:
    raw = raw_dir(tmp_path, "annotations_late.csv", late_quoted_csv())
    (raw / "annotations_mixed.csv").write_bytes(mixed_line_endings_csv())
    warehouse = build_warehouse(raw, select="+assert_raw_rows_reconcile")
    got = dict(
        query(
            warehouse,
            "select annotation_id, item_id || '|' || label from staging.stg_raw__annotations "
            "where annotation_id in ('a30000', 'a30001', 'a30002', 'm0', 'm7')",
        )
    )
    assert got["a30000"] == "i30000|hate"
    assert got["a30001"] == 'i, "quoted"\nsecond line|hate'
    assert got["a30002"] == "i30002|hate"
    assert (got["m0"], got["m7"]) == ("i0|hate", "i7|hate")
    mixed = query(
        warehouse,
        "select count(*), max(length(submitted_at)) from staging.land_raw__annotations "
        "where source_file = 'annotations_mixed.csv'",
    )
    assert mixed == [(8, 20)]  # every row, and no carriage return left at the end of a value
    counts = query(
        warehouse,
        "select (select count(*) from staging.stg_raw__annotations), "
        "(select count(*) from staging.rejected_rows where entity = 'annotations')",
    )
    assert counts == [(30_010 + 8, 0)]


def test_dbt_and_preflight_state_the_same_dialect() -> None:
    """Every reader takes the dialect from var raw_csv_dialect (its one home) and states the same
    read policy (a header row among it): the preflight's DuckDB options, the dbt DuckDB reader and
    the Spark reader."""
    macros = (PROJECT_ROOT / "macros" / "raw" / "raw_files.sql").read_text()
    duckdb_reader = macros.split("macro duckdb__raw_file_reader", 1)[1].split("endmacro", 1)[0]
    call = " ".join(re.search(r"read_csv\(\{\{ quoted \}\},(.*?)\)\n", duckdb_reader, re.S).group(1).split())
    assert [o for o in (o.strip() for o in CSV_READ_POLICY.split(", ")) if o not in call] == []
    for option, key in (("delim", "delimiter"), ("quote", "quote"), ("escape", "escape")):
        assert f"{option} = {{{{ labelhouse.raw_csv_char(dialect['{key}']) }}}}" in call
    assert "var('raw_csv_dialect')" in duckdb_reader
    spark_reader = macros.split("macro spark__raw_file_reader", 1)[1].split("endmacro", 1)[0]
    assert "var('raw_csv_dialect')" in spark_reader
    assert "header 'true'" in spark_reader and "multiLine 'true'" in spark_reader
    for key in ("delimiter", "quote", "escape"):
        assert f"dialect['{key}']" in spark_reader
    # the preflight's options are the var's
    d = dbt_vars()["raw_csv_dialect"]
    assert csv_dialect() == CsvDialect(d["delimiter"], d["quote"], d["escape"])
    assert duckdb_csv_options(csv_dialect()) == (
        f"delim = '{d['delimiter']}', quote = '{d['quote']}', escape = '{d['escape']}', {CSV_READ_POLICY}"
    )
    assert "header = true" in CSV_READ_POLICY


def test_the_preflight_reads_the_dialect_the_project_states(tmp_path: Path) -> None:
    """A project whose raw_csv_dialect says ';' reads a semicolon file (DuckDB and Python readers);
    the default project refuses the same file as a file with a missing column, not by sniffing."""
    import yaml

    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())
    project["vars"]["raw_csv_dialect"]["delimiter"] = ";"
    other = tmp_path / "project"
    other.mkdir()
    (other / "dbt_project.yml").write_text(yaml.safe_dump(project, sort_keys=False))
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "annotations_1.csv").write_text(
        "annotation_id;item_id;project_id;annotator_id;label;submitted_at\n"
        'a1;i1;p1;r1;"hate; or not";2026-10-01T10:00:00Z\n',
        encoding="utf-8",
    )
    report = preflight(raw, other)
    assert report.rows("annotations") == 1
    assert [c.strip() for c in report.files[0].columns][:2] == ["annotation_id", "item_id"]
    reading = read_csv_strictly(raw / "annotations_1.csv", csv_dialect(other))
    assert (len(reading.header), reading.n_rows) == (6, 1)
    with pytest.raises(PreflightError, match="no required column 'annotation_id'"):
        preflight(raw)


# --------------------------------------------------------------------------------------------
# Flag reasons: the macro below_threshold_text, rendered as dbt renders it, evaluated by DuckDB
# --------------------------------------------------------------------------------------------


def below_threshold_sql(value: str, threshold: float) -> str:
    source = (PROJECT_ROOT / "macros" / "utils" / "thresholds.sql").read_text()
    module = (
        jinja2.Environment().from_string(source).make_module({"dbt": SimpleNamespace(type_string=lambda: "varchar")})
    )
    return str(module.below_threshold_text(value, threshold))


@pytest.mark.parametrize(
    ("value", "threshold", "text"),
    [
        (0.55, 0.6, "0.55 < 0.6"),
        (2 / 3, 0.7, "0.667 < 0.7"),
        (0.5996, 0.6, "0.5996 < 0.6"),  # was 'gold accuracy 0.6 < 0.6'
        (1499 / 2500, 0.6, "0.5996 < 0.6"),
        (0.59999, 0.6, "0.59999 < 0.6"),
        (2 / 3, 0.6667, "0.66667 < 0.6667"),  # 3 decimals would print '0.667 < 0.6667', false
        (0.6 - 1e-9, 0.6, "0.599999999 < 0.6"),
        (0.0, 0.65, "0.0 < 0.65"),
    ],
)
def test_flag_reason_prints_a_true_inequality(value: float, threshold: float, text: str) -> None:
    sql = below_threshold_sql("x", threshold)
    got = duckdb.sql(f"select {sql} from (select cast({value!r} as double) as x)").fetchall()[0][0]
    assert got == text
    shown, _, limit = got.partition(" < ")
    assert float(shown) < float(limit) and shown != limit


@pytest.mark.parametrize("threshold", [0.6, 0.65, 0.7])
def test_flag_reason_rule_holds_for_every_ratio_below_the_threshold(threshold: float) -> None:
    """Every k/n < threshold with n <= 1000 (gold accuracies, agreement shares): the printed value is
    below the threshold and within 0.0005 of the value."""
    shown = f"cast(split_part({below_threshold_sql('x', threshold)}, ' < ', 1) as double)"
    bad = duckdb.sql(
        f"select k, n, x, {shown} as shown from ("
        f"  select k, n, cast(k as double) / n as x from range(1, 1001) as a(n), range(0, 1001) as b(k) where k <= n"
        f") where x < {threshold} and not ({shown} < {threshold} and abs({shown} - x) <= 0.0005 + 1e-12)"
    ).fetchall()
    assert bad == []
    model = (PROJECT_ROOT / "models" / "marts" / "quality" / "fct_annotator_quality.sql").read_text()
    assert "below_threshold_text('gold_accuracy', gold_threshold)" in model
    assert "below_threshold_text('agreement_with_consensus', consensus_threshold)" in model
