"""One way every view hands a file to the browser."""
from io import BytesIO

from flask import send_file


def attachment(data: bytes, mimetype: str, name: str):
    """An attachment, never cached; send_file writes the ASCII fallback and filename*=UTF-8''."""
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name,
                         max_age=0)
    # send_file would append a second charset to text/calendar; say it exactly once
    response.headers["Content-Type"] = mimetype
    return response
