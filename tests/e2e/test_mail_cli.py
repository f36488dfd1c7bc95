"""`vakt mail` as an operator runs it, on a mailbox filled by the development SMTP server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from adapters.smtp import SmtpSender
from domain.mail.facts import MailMessage
from infra.mailbox import dev_smtp_server
from tests.e2e.test_cli import ROOT
from tests.helpers.mail import free_port, mail_settings

PASSWORD = "Hemmelig-Passord-42"


def vakt_mail(*args: str, data_dir, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "SMTP_URL"}
    full_env.update({"VAKT_DATA_DIR": str(data_dir), **env})
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "mail", *args], cwd=ROOT, env=full_env, capture_output=True, text=True,
        timeout=60,
    )


async def fill_mailbox(data_dir) -> None:
    port = free_port()
    async with dev_smtp_server(data_dir, port=port):
        sender = SmtpSender(mail_settings(port))
        await sender.send("kari@moss.example.no", MailMessage(subject="Første", text="Hei Kari,\nførste melding."))
        await sender.send("ola@moss.example.no", MailMessage(subject="Til Ola", text="Hei Ola."))
        await sender.send(
            "Kari@Moss.example.no",
            MailMessage(subject="Vakt [bold]bytte[/bold]", text="Shown as typed: [red]not red[/red] \x1b[2J end."),
            to_name="Kari Nordmann",
        )


async def test_vakt_mail_shows_the_newest_messages_literally(tmp_path):
    await fill_mailbox(tmp_path)

    shown = vakt_mail(data_dir=tmp_path)
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert f"Mailbox {tmp_path / 'mail'}, filled by the local development SMTP server (smtp://127.0.0.1:8025)." in out
    assert "3 of 3 messages, newest first." in out
    assert out.index("Vakt [bold]bytte[/bold]") < out.index("Til Ola") < out.index("Første")  # newest first, literal
    assert "Shown as typed: [red]not red[/red] \\x1b[2J end." in out and "\x1b" not in out
    assert "To:      kari@moss.example.no" in out and "Hei Kari,\nførste melding." in out

    mine = vakt_mail("--to", "KARI@moss.example.no", "--last", "1", data_dir=tmp_path)
    assert mine.returncode == 0, mine.stderr
    assert "1 of 2 messages to KARI@moss.example.no, newest first." in mine.stdout
    assert "Vakt [bold]bytte[/bold]" in mine.stdout and "Første" not in mine.stdout and "Ola" not in mine.stdout

    document = json.loads(vakt_mail("--json", "--last", "2", data_dir=tmp_path).stdout)
    assert document["matching"] == 3 and document["embedded"] is True
    assert [m["subject"] for m in document["messages"]] == ["Vakt [bold]bytte[/bold]", "Til Ola"]
    first = document["messages"][0]
    assert first["to"] == ["Kari@Moss.example.no"] and first["text"].startswith("Shown as typed")
    assert first["message_id"].endswith("@localhost>") and first["date"]


def test_vakt_mail_never_prints_the_smtp_password(tmp_path):
    url = f"smtp://vakt:{PASSWORD}@smtp.example.no:587?tls=starttls"
    for args in ((), ("--json",)):
        run = vakt_mail(*args, data_dir=tmp_path, SMTP_URL=url)
        assert run.returncode == 0, run.stderr
        assert "smtp://vakt:***@smtp.example.no:587?tls=starttls" in run.stdout
        assert PASSWORD not in run.stdout + run.stderr
    assert "No messages." in vakt_mail(data_dir=tmp_path, SMTP_URL=url).stdout

    bad = vakt_mail(data_dir=tmp_path, SMTP_URL=f"smtp://vakt:{PASSWORD}@smtp.example.no:587?tls=sometimes")
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.startswith("vakt: error: SMTP_URL is malformed: tls must be starttls or none")
    assert bad.stderr.count("\n") == 1 and PASSWORD not in bad.stderr


def test_vakt_mail_refuses_bad_options_with_exit_2(tmp_path):
    for args in (("--last", "0"), ("--to", "kari")):
        run = vakt_mail(*args, data_dir=tmp_path)
        assert run.returncode == 2 and run.stderr.startswith("vakt: error: "), run.stderr
