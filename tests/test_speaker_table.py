"""The corpus speaker table: who is merged across articles (and who never is), stable ids, and the post-pass over
a quotes file that keeps every row and field, writes atomically and keeps speakers.csv spreadsheet-safe."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pandas as pd
import pytest
from hydra import compose, initialize_config_dir

from stance.config import CONF_DIR, ConfigError, validate_config
from stance.extract.speaker_merge import TABLE_COLUMNS, SpeakerIndex, SpeakerMerger, text_or_none
from stance.extract.speaker_table import finalize_speakers, write_speaker_ids
from stance.io import TableError


def table_for(rows, **merger):
    """rows: (article, speaker, type[, mention[, role]])."""
    index = SpeakerIndex()
    for row in rows:
        article, speaker, kind, *rest = row
        mention = rest[0] if rest else speaker
        role = rest[1] if len(rest) > 1 else None
        index.observe(article, speaker, kind, mention, role)
    return index.build(SpeakerMerger(**merger))


def sid(table, article, speaker, kind="person"):
    return table.speaker_id(article, speaker, kind)


def test_kessler_written_three_ways_in_three_articles_is_one_speaker():
    table = table_for(
        [
            ("a1", "Ann M. Kessler", "person"),
            ("a2", "Ann Kessler", "person", "Ann Kessler", "senator"),
            ("a3", "Kessler", "person", "Sen. Kessler", "Sen."),
        ]
    )
    ids = {sid(table, "a1", "Ann M. Kessler"), sid(table, "a2", "Ann Kessler"), sid(table, "a3", "Kessler")}
    assert len(ids) == 1 and len(table) == 1
    row = table.rows[0]
    assert row["canonical_name"] == "Ann M. Kessler"
    assert set(row["aliases"].split("; ")) == {"Ann M. Kessler", "Ann Kessler", "Kessler", "Sen. Kessler"}
    assert set(row["roles"].split("; ")) == {"senator", "Sen."}
    assert (row["articles"], row["quotes"], row["ambiguous"]) == (3, 3, False)


def test_two_smiths_stay_apart_and_a_bare_smith_joins_neither():
    table = table_for(
        [
            ("a1", "John Smith", "person"),
            ("a2", "Jane Smith", "person"),
            ("a3", "Smith", "person"),
            ("a4", "Smith", "person"),
        ]
    )
    john, jane, bare = sid(table, "a1", "John Smith"), sid(table, "a2", "Jane Smith"), sid(table, "a3", "Smith")
    assert len({john, jane, bare}) == 3
    assert sid(table, "a4", "Smith") == bare  # every unresolvable "Smith" shares the one ambiguous entry
    assert table.by_id[bare]["ambiguous"] and not table.by_id[john]["ambiguous"]
    assert table.by_id[bare]["articles"] == 2


def test_a_bare_surname_joins_the_full_name_its_own_article_gives():
    table = table_for(
        [("a1", "John Smith", "person"), ("a2", "Jane Smith", "person"), ("a2", "Smith", "person")],
        surnames="never",
    )
    assert sid(table, "a2", "Smith") == sid(table, "a2", "Jane Smith")


def test_bill_and_hillary_clinton_are_two_people_and_nicknames_merge():
    table = table_for(
        [
            ("a1", "Bill Clinton", "person"),
            ("a2", "William Jefferson Clinton", "person"),
            ("a3", "Hillary Clinton", "person"),
            ("a4", "Hillary Rodham Clinton", "person"),
            ("a5", "Clinton", "person", "Mrs. Clinton"),  # the honorific's gender picks Hillary
            ("a6", "Clinton", "person"),
        ]
    )
    bill, hillary = sid(table, "a1", "Bill Clinton"), sid(table, "a3", "Hillary Clinton")
    assert bill != hillary
    assert sid(table, "a2", "William Jefferson Clinton") == bill
    assert sid(table, "a4", "Hillary Rodham Clinton") == hillary
    assert sid(table, "a5", "Clinton") == hillary
    assert sid(table, "a6", "Clinton") not in (bill, hillary)
    assert table.by_id[sid(table, "a6", "Clinton")]["ambiguous"]


def test_nicknames_can_be_turned_off():
    rows = [("a1", "Bob Dole", "person"), ("a2", "Robert Dole", "person"), ("a3", "Bernie Sanders", "person")]
    rows.append(("a4", "Bernard Sanders", "person"))
    on, off = table_for(rows), table_for(rows, nicknames=False)
    assert sid(on, "a1", "Bob Dole") == sid(on, "a2", "Robert Dole")
    assert sid(on, "a3", "Bernie Sanders") == sid(on, "a4", "Bernard Sanders")
    assert sid(off, "a1", "Bob Dole") != sid(off, "a2", "Robert Dole")


def test_the_bushes_middle_initials_and_an_ambiguous_bush():
    table = table_for(
        [
            ("a1", "George W. Bush", "person", "President George W. Bush", "President"),
            ("a2", "George Walker Bush", "person"),
            ("a3", "George H. W. Bush", "person"),
            ("a4", "Jeb Bush", "person", "Jeb Bush", "Gov."),
            ("a5", "Bush", "person"),
            ("a6", "George Bush", "person"),  # fits both Georges
            ("a7", "Bush", "person", "Gov. Bush"),  # the title fits Jeb alone
        ]
    )
    w, hw, jeb = sid(table, "a1", "George W. Bush"), sid(table, "a3", "George H. W. Bush"), sid(table, "a4", "Jeb Bush")
    assert len({w, hw, jeb}) == 3
    assert sid(table, "a2", "George Walker Bush") == w
    bare, george = sid(table, "a5", "Bush"), sid(table, "a6", "George Bush")
    assert bare not in (w, hw, jeb) and george not in (w, hw, jeb)
    assert table.by_id[bare]["ambiguous"] and table.by_id[george]["ambiguous"]
    assert sid(table, "a7", "Bush") == jeb
    blind = table_for(
        [("a7", "Bush", "person", "Gov. Bush"), ("a4", "Jeb Bush", "person"), ("a1", "George W. Bush", "person")],
        evidence=False,
    )
    assert blind.by_id[sid(blind, "a7", "Bush")]["ambiguous"]  # without evidence the title decides nothing


def test_suffixes_distinguish_and_a_unique_surname_attaches():
    table = table_for(
        [
            ("a1", "John Smith Jr.", "person"),
            ("a2", "John Smith Sr.", "person"),
            ("a3", "John Smith", "person"),
            ("a4", "Martin Luther King Jr.", "person"),
            ("a5", "King", "person", "Dr. King"),
        ]
    )
    assert (
        len({sid(table, "a1", "John Smith Jr."), sid(table, "a2", "John Smith Sr."), sid(table, "a3", "John Smith")})
        == 3
    )
    assert sid(table, "a5", "King") == sid(table, "a4", "Martin Luther King Jr.")
    trumps = [
        ("a1", "Donald J. Trump", "person"),
        ("a2", "Donald Trump", "person"),
        ("a3", "Donald Trump Jr.", "person"),
    ]
    strict, loose = table_for(trumps), table_for(trumps, suffixes="optional")
    assert (
        sid(strict, "a1", "Donald J. Trump")
        == sid(strict, "a2", "Donald Trump")
        != sid(strict, "a3", "Donald Trump Jr.")
    )
    assert len({sid(loose, *t) for t in trumps}) == 1  # what "optional" costs


def test_a_person_and_an_organisation_with_the_same_name_never_merge():
    table = table_for(
        [
            ("a1", "Ford", "organization"),
            ("a2", "Gerald Ford", "person"),
            ("a3", "Ford", "person"),
            ("a4", "Ford", "organization"),
        ]
    )
    org, person = sid(table, "a1", "Ford", "organization"), sid(table, "a2", "Gerald Ford")
    assert org != person
    assert sid(table, "a3", "Ford") == person and sid(table, "a4", "Ford", "organization") == org
    assert table.by_id[org]["speaker_type"] == "organization" and table.by_id[org]["articles"] == 2


def test_organisations_merge_by_normalised_name_and_generic_names_stay_per_article():
    rows = [
        ("a1", "the U.S. State Department", "organization"),
        ("a2", "US State Department", "organization"),
        ("a3", "agency", "organization"),
        ("a4", "agency", "organization"),
    ]
    table = table_for(rows)
    state = sid(table, "a1", "the U.S. State Department", "organization")
    assert sid(table, "a2", "US State Department", "organization") == state
    assert table.by_id[state]["canonical_name"] in ("U.S. State Department", "US State Department")
    a3, a4 = sid(table, "a3", "agency", "organization"), sid(table, "a4", "agency", "organization")
    assert a3 != a4 and table.by_id[a3]["article"] == "a3"
    capitalised = table_for([("a1", "Police", "organization"), ("a2", "Police", "organization")])
    assert sid(capitalised, "a1", "Police", "organization") != sid(capitalised, "a2", "Police", "organization")
    kings = table_for([("a1", "King", "person"), ("a2", "King", "person")])  # a surname, not a role
    assert sid(kings, "a1", "King") == sid(kings, "a2", "King")
    merged = table_for(rows, generic="corpus")
    assert sid(merged, "a3", "agency", "organization") == sid(merged, "a4", "agency", "organization")


def test_ids_are_stable_across_runs_and_input_order():
    rows = [
        ("a1", "Ann M. Kessler", "person"),
        ("a2", "Kessler", "person"),
        ("a3", "John Smith", "person"),
        ("a4", "Jane Smith", "person"),
        ("a5", "Smith", "person"),
        ("a6", "Reuters", "organization"),
    ]
    first = {r[:3]: sid(table_for(rows), r[0], r[1], r[2]) for r in rows}
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    again = table_for(shuffled)
    assert {r[:3]: sid(again, r[0], r[1], r[2]) for r in rows} == first
    assert all(
        i.startswith(("ann-m-kessler-", "john-smith-", "jane-smith-", "smith-", "reuters-")) for i in first.values()
    )


def test_merger_settings_are_checked():
    with pytest.raises(ValueError, match="surnames"):
        SpeakerMerger(surnames="sometimes")
    with pytest.raises(ValueError, match="generic"):
        SpeakerMerger(generic="world")
    with pytest.raises(ValueError, match="nicknames"):
        SpeakerMerger(nicknames="yes")  # type: ignore[arg-type]
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(
            config_name="extract", overrides=["input=x", "output=y.jsonl", "+extract.speaker_table.nicknamez=1"]
        )
    with pytest.raises(ConfigError, match="nicknamez"):
        validate_config(cfg)


# ---- the post-pass over a quotes file ----

QUOTES = [
    {"article_id": "a1", "quote_id": "a1-q1", "text": "x", "start": 0, "end": 1, "spans": [[0, 1]], "cue_start": None,
     "speaker": "Ann M. Kessler", "speaker_mention": "Sen. Ann M. Kessler", "speaker_role": "Sen.", "speaker_type": "person",
     "confidence": 0.75},
    {"article_id": "a2", "quote_id": "a2-q1", "text": "=1+1", "start": 3, "end": 7, "spans": [[3, 7]], "cue_start": 9,
     "speaker": "Kessler", "speaker_mention": "Kessler", "speaker_role": None, "speaker_type": "person",
     "confidence": 0.5},
    {"article_id": "a2", "quote_id": "a2-q2", "text": "y", "start": 9, "end": 10, "spans": [], "cue_start": None,
     "speaker": None, "speaker_mention": "they", "speaker_role": None, "speaker_type": "unknown", "confidence": 0.5},
    {"article_id": "a3", "quote_id": "a3-q1", "text": "z", "start": 0, "end": 1, "spans": [[0, 1]], "cue_start": 4,
     "speaker": "=HYPERLINK(\"http://x\")", "speaker_mention": "it", "speaker_role": None,
     "speaker_type": "organization", "confidence": 0.9},
]  # fmt: skip


def write_quotes(path: Path, rows=QUOTES) -> None:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    elif path.suffix == ".csv":
        frame = pd.DataFrame(rows)
        frame["spans"] = frame["spans"].map(json.dumps)
        frame.to_csv(path, index=False)
    else:
        frame = pd.DataFrame(rows)
        frame["cue_start"] = frame["cue_start"].astype("Int64")
        frame.to_parquet(path)


def read_back(path: Path) -> list[dict]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    if path.suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    return pd.read_parquet(path).to_dict(orient="records")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_finalize_adds_speaker_id_and_keeps_every_row_and_field(tmp_path, fmt):
    quotes = tmp_path / f"quotes.{fmt}"
    write_quotes(quotes)
    before = read_back(quotes)
    summary = finalize_speakers(quotes)
    after = read_back(quotes)
    assert len(after) == len(before) == len(QUOTES)
    for old, new in zip(before, after):
        assert list(new)[list(new).index("speaker") + 1] == "speaker_id"  # beside the name
        rest = {k: v for k, v in new.items() if k != "speaker_id"}
        if fmt == "parquet":
            assert json.dumps(rest, default=str, sort_keys=True) == json.dumps(old, default=str, sort_keys=True)
        else:
            assert rest == old
    ids = [text_or_none(r["speaker_id"]) for r in after]  # null comes back as None, "" (CSV) or NaN (pandas)
    assert ids[0] == ids[1] and ids[0].startswith("ann-m-kessler-")
    assert ids[2] is None  # no speaker, no id
    assert summary["speakers"] == 2 and summary["quotes"] == 4 and summary["quotes_with_speaker"] == 3
    if fmt == "parquet":
        assert str(pd.read_parquet(quotes)["cue_start"].dtype) == "Int64"  # types survive the rewrite
    table = pd.read_csv(tmp_path / "speakers.csv", keep_default_na=False)
    assert list(table.columns) == TABLE_COLUMNS
    assert set(table["speaker_id"]) == {i for i in ids if i}
    kessler = table.set_index("speaker_id").loc[ids[0]]
    assert (kessler["canonical_name"], kessler["articles"], kessler["quotes"]) == ("Ann M. Kessler", 2, 2)
    # spreadsheet safety: a name that would run as a formula is neutralised in the table
    org = table[table["speaker_type"] == "organization"].iloc[0]
    assert org["canonical_name"].startswith("'=") and org["aliases"].startswith("'=")
    # running it again gives the same ids and no second speaker_id column
    finalize_speakers(quotes)
    again = read_back(quotes)
    assert [text_or_none(r["speaker_id"]) for r in again] == ids and list(again[0]).count("speaker_id") == 1


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_failure_leaves_the_quotes_file_as_it_was_and_no_table(tmp_path, fmt, monkeypatch):
    quotes = tmp_path / f"quotes.{fmt}"
    write_quotes(quotes)
    original = quotes.read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    import stance.extract.speaker_table as module

    monkeypatch.setattr(module, f"_write_{fmt}", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        finalize_speakers(quotes)
    assert quotes.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == [quotes.name]  # no table, no temp files


def test_a_bad_row_is_named_by_file_line_and_field(tmp_path):
    quotes = tmp_path / "quotes.jsonl"
    rows = [dict(QUOTES[0]), dict(QUOTES[1], speaker=42)]
    write_quotes(quotes, rows)
    with pytest.raises(TableError, match=r"quotes.jsonl, line 2, field 'speaker'"):
        finalize_speakers(quotes)
    write_quotes(quotes, [dict(QUOTES[0]), {k: v for k, v in QUOTES[1].items() if k != "article_id"}])
    with pytest.raises(TableError, match=r"quotes.jsonl, line 2, field 'article_id'"):
        finalize_speakers(quotes)
    with pytest.raises(TableError, match="file not found"):
        finalize_speakers(tmp_path / "nothing.jsonl")
    no_column = tmp_path / "other.csv"
    pd.DataFrame({"article_id": ["a"], "text": ["x"]}).to_csv(no_column, index=False)
    with pytest.raises(TableError, match="field 'speaker'"):
        finalize_speakers(no_column)
    assert not (tmp_path / "speakers.csv").exists()


def test_write_speaker_ids_refuses_a_format_change(tmp_path):
    quotes = tmp_path / "quotes.jsonl"
    write_quotes(quotes)
    with pytest.raises(TableError, match="same format"):
        write_speaker_ids(quotes, tmp_path / "quotes.csv", table_for([]))


def test_stance_extract_writes_speakers_csv_beside_the_quotes(tmp_path):
    from stance.workflows.extract import run_extraction

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text('"We will fight it," said Ann M. Kessler, a senator.\n', encoding="utf-8")
    (folder / "b.txt").write_text('"This is wrong," Ann Kessler said on Monday.\n', encoding="utf-8")
    (folder / "c.txt").write_text("John Smith said the team played well.\n", encoding="utf-8")
    out = tmp_path / "out" / "quotes.jsonl"
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(config_name="extract", overrides=[f"input={folder}", f"output={out}"])
    summary = run_extraction(cfg)
    rows = read_back(out)
    by_article = {r["article_id"]: r for r in rows if r["speaker"]}
    assert by_article["a"]["speaker_id"] == by_article["b"]["speaker_id"] != by_article["c"]["speaker_id"]
    table = pd.read_csv(tmp_path / "out" / "speakers.csv", keep_default_na=False)
    assert summary["speakers"]["speakers"] == len(table) == 2
    assert table["quotes"].sum() == sum(1 for r in rows if r["speaker"])
