"""Reading and writing the tables people exchange with Excel: CSV (UTF-8 with BOM out; UTF-8
or Shift_JIS/cp932 in) and .xlsx. The roster and the participants' reply files share them, so
both read a file the same way and refuse the same broken ones."""
from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from datetime import date, datetime

from planner.domain import fields
from planner.domain.dates import format_date_wareki
from planner.domain.safezip import ZipRefused, check_zip

#: a table of a few hundred rows is well under 1 MB unpacked; Excel's own parts add little
MAX_XLSX_UNPACKED = 50 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SheetError(ValueError):
    """A file that is refused whole; the message names the line and the field."""


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then Shift_JIS as Excel writes it (cp932)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("文字コードを判別できません。UTF-8 または Shift_JIS の CSV で保存してください。")


def csv_rows(data: bytes) -> list[list[object]]:
    try:
        return list(csv.reader(io.StringIO(decode(data))))
    except csv.Error as exc:
        raise SheetError(f"CSV として読めません（{exc}）。") from None


#: what openpyxl raises for a damaged workbook (SyntaxError: the XML parsers' ParseError)
_BROKEN = (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError)
_UNREADABLE = "Excel ファイル（.xlsx）として読めません。壊れているか、別の形式です。"


def xlsx_rows(data: bytes, max_rows: int, refuse_formulas: bool = False) -> list[list[object]]:
    """The first sheet's cell values (text, numbers, dates); at most one row past `max_rows`.
    With `refuse_formulas`, a formula cell refuses the file (its value may be stale or none:
    a file written by a program has no cached result), naming the cell."""
    try:
        # a small upload may unpack to gigabytes (a zip bomb), and its headers may lie about it:
        # every entry is inflated and counted before openpyxl reads it (planner.domain.safezip)
        check_zip(data, max_total=MAX_XLSX_UNPACKED)
    except zipfile.BadZipFile:
        raise SheetError(_UNREADABLE) from None
    except ZipRefused as exc:
        message = str(exc)
        if message.startswith("展開すると大きすぎる"):
            message = "Excel ファイルの中身が大きすぎます。必要な列だけを残したファイルにしてください。"
        raise SheetError(message) from None
    rows = []
    try:
        from openpyxl import load_workbook  # ~35 MiB: with the first Excel file, not in every process
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=not refuse_formulas)
        try:
            for cells in book.worksheets[0].iter_rows():
                formula = next((c for c in cells if getattr(c, "data_type", None) == "f"), None)
                if refuse_formulas and formula is not None:
                    raise SheetError(f"{formula.row}行目の{formula.column_letter}列が数式です。"
                                     "数式ではなく値を入力してください（コピーして「値として貼り付け」）。")
                rows.append([c.value for c in cells])
                if len(rows) > max_rows + 1:
                    break
        finally:
            book.close()
    except SheetError:
        raise
    except _BROKEN:
        raise SheetError(_UNREADABLE) from None
    return rows


def is_xlsx(data: bytes) -> bool:
    """An .xlsx is a zip file; a CSV never starts with its signature."""
    return data.startswith(b"PK\x03\x04")


def table_rows(data: bytes, max_rows: int, refuse_formulas: bool = False) -> list[list[object]]:
    """A CSV or .xlsx file's rows; an old .xls or an empty file is refused."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # the OLE2 container of Excel 97-2003 files
        raise SheetError("古い Excel 形式（.xls）は読めません。Excel で「Excel ブック（.xlsx）」か CSV として保存し直してください。")
    table = xlsx_rows(data, max_rows, refuse_formulas) if is_xlsx(data) else csv_rows(data)
    if not table:
        raise SheetError("ファイルが空です。")
    return table


#: how far down a sheet the header row is looked for (a title, a date, blank rows above it)
HEADER_SEARCH_ROWS = 20


def header_row(table: list[list[object]], required: list[str]) -> int:
    """The index of the header row: the first row, among the first HEADER_SEARCH_ROWS, that
    names every required column. People put a title ("令和8年度 企画会議チーム名簿"), a date
    or blank rows above the header; those rows are skipped. When no row has them all, the
    first non-blank row is taken, so the caller's message names what it lacks."""
    first_filled = None
    for index, values in enumerate(table[:HEADER_SEARCH_ROWS]):
        texts = {cell_text(v) for v in values}
        if first_filled is None and any(texts):
            first_filled = index
        if all(column in texts for column in required):
            return index
    return first_filled or 0


def cell_text(value: object) -> str:
    """A cell as the text a person typed: numbers without a trailing .0, formulas undone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return fields.restore_cell(str(value).strip())


def write_csv(table: list[list[str]]) -> bytes:
    """UTF-8 with BOM and CRLF, which Excel opens without garbling."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(table)
    return out.getvalue().encode("utf-8-sig")


#: who made a workbook, as Excel's file properties show it (not the library's name)
CREATOR = "伝達研修プランナー"
#: a date cell as Japanese offices read it: 令和9年2月18日（木） in Excel and LibreOffice alike
#: ([$-411] is the Japanese calendar; the newer [$-ja-JP-x-gannen] shows LibreOffice a bare number)
DATE_FORMAT = '[$-411]ggge"年"m"月"d"日（"aaa"）";@'
#: the widest a column grows to fit its text (longer text wraps)
MAX_WIDTH = 50


def workbook_properties(book, title: str) -> None:
    """Creator and title a recipient's Excel shows, instead of openpyxl's defaults."""
    book.properties.creator = book.properties.lastModifiedBy = CREATOR
    book.properties.title = title
    book.properties.language = "ja-JP"


def shown_width(value: object) -> int:
    """How many columns of Excel's width unit a value takes: a full-width character two,
    a date as DATE_FORMAT shows it; the longest line of a multi-line text."""
    if isinstance(value, (date, datetime)):
        value = format_date_wareki(value if not isinstance(value, datetime) else value.date())
    lines = str(value).split("\n") if value is not None else [""]
    return max(sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in line) for line in lines)


def fit_columns(sheet, minimums: list[float] | None = None, first_row: int = 1) -> None:
    """Each column as wide as its widest cell from `first_row` on (headings included, a
    little room to spare), at least its minimum and at most MAX_WIDTH (text wraps there)."""
    from openpyxl.styles import Alignment  # see xlsx_rows
    from openpyxl.utils import get_column_letter
    widths: dict[int, float] = dict(enumerate(minimums or [], start=1))
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None:
                continue
            needed = shown_width(cell.value) + 2
            if needed > MAX_WIDTH and isinstance(cell.value, str):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[cell.column] = min(max(widths.get(cell.column, 0), needed), MAX_WIDTH)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    _wrapped_row_heights(sheet, widths, first_row)
    print_setup(sheet, sum(widths.values()), first_row)


#: the height of one line of the default 11 pt font, in points
LINE_HEIGHT = 15


def _wrapped_row_heights(sheet, widths: dict[int, float], first_row: int) -> None:
    """Rows tall enough for their wrapped text: neither Excel nor LibreOffice grows a row
    when it opens a file, so a long cell would show its first line only."""
    from openpyxl.styles import Alignment  # see xlsx_rows
    for row in sheet.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if isinstance(cell.value, str) and cell.alignment is not None and cell.alignment.wrap_text:
                room = max(widths.get(cell.column, MAX_WIDTH) - 1, 1)
                lines = max(lines, sum(-(-shown_width(line) // room) or 1 for line in cell.value.split("\n")))
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = lines * LINE_HEIGHT
            for cell in row:  # the row's other cells beside its first line, not its last
                cell.alignment = Alignment(horizontal=cell.alignment.horizontal, wrap_text=cell.alignment.wrap_text,
                                           vertical="top")


#: about how many of Excel's width units an A4 page holds at 100 % (default margins)
PORTRAIT_WIDTH, LANDSCAPE_WIDTH = 90, 135


def print_setup(sheet, width: float, header_row: int = 1) -> None:
    """A sheet that prints as an office prints it: A4, landscape when it is wider than a
    portrait page, its columns on one page across (shrunk at most to half size; a wider
    sheet keeps its first column on every page instead), the heading row on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if width > PORTRAIT_WIDTH else "portrait"
    if width <= 2 * LANDSCAPE_WIDTH:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    else:
        sheet.print_title_cols = "A:A"
    sheet.print_title_rows = f"{header_row}:{header_row}"


def write_xlsx(table: list[list[object]], sheet_title: str, widths: list[float] | None = None,
               title: str = "", formats: dict[int, str] | None = None) -> bytes:
    """One sheet, bold header, frozen first row; every text cell stored as text, never a formula;
    dates as date cells (DATE_FORMAT) and numbers as numbers (`formats`: a column's number
    format by its index); columns as wide as their text. `title` is the file's own title
    (Excel's properties), the sheet's name by default."""
    from openpyxl import Workbook  # see xlsx_rows
    from openpyxl.styles import Alignment, Font
    book = Workbook()
    workbook_properties(book, title or sheet_title)
    sheet = book.active
    sheet.title = sheet_title
    for values in table:
        sheet.append(values)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would store "=..." as a formula
                if "\n" in cell.value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")  # show a note's lines
            elif isinstance(cell.value, (date, datetime)):
                cell.number_format = DATE_FORMAT
            elif formats and cell.column - 1 in formats and cell.value is not None:
                cell.number_format = formats[cell.column - 1]
    fit_columns(sheet, widths)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
