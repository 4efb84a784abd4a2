"""`flask --app app municipalities PREFECTURE [--load]`: a prefecture's municipalities, and
loading them from the national list (data/municipalities.csv)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from planner.cli.common import fail


@click.command("municipalities")
@click.argument("prefecture_name")
@click.option("--load", is_flag=True, help="全国の一覧（総務省 全国地方公共団体コード）から読み込みます。")
@with_appcontext
def municipalities_command(prefecture_name: str, load: bool) -> None:
    """Print (or first --load) the municipalities of PREFECTURE_NAME (e.g. 大分県)."""
    from planner.domain.municipalities import municipalities_of
    from planner.models import MUNICIPALITY_TYPES, Prefecture
    from planner.models.db import db
    from planner.services.errors import ChangeRefused
    from planner.services.participants import municipalities
    prefecture = db.session.scalar(db.select(Prefecture).filter_by(name=prefecture_name))
    if prefecture is None:
        fail(f"都道府県「{prefecture_name}」はありません（アカウントのある都道府県の名前を、県・府・都まで入力してください）。")
    if load:
        try:
            result = municipalities.load_list(prefecture, municipalities_of(prefecture.name))
        except ChangeRefused as refused:
            fail(" ".join(refused.messages))
        click.echo(f"読み込みました: 追加 {len(result.added)}、更新 {len(result.updated)}。")
        if result.not_in_list:
            click.echo(f"注意: 全国の一覧にない自治体があります: {'、'.join(result.not_in_list)}", err=True)
    for m in municipalities.municipalities(prefecture):
        click.echo(f"{m.code}  {MUNICIPALITY_TYPES[m.kind]}\t{m.name}")
