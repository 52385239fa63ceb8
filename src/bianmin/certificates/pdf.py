"""The certificate as a PDF (reportlab; the built-in CID font STSong-Light renders Chinese
without shipping a font file), with the QR code of its verification URL (segno)."""

from __future__ import annotations

import io

import segno
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from bianmin.certificates.models import Certificate, CertificateStatus
from bianmin.certificates.queries import effective_status

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _qr_drawing(text: str, size: float) -> Drawing:
    qr = segno.make(text, error="m")
    matrix = [list(row) for row in qr.matrix]
    border = 2
    n = len(matrix) + 2 * border
    cell = size / n
    d = Drawing(size, size)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                d.add(
                    Rect(
                        (x + border) * cell,
                        size - (y + border + 1) * cell,
                        cell,
                        cell,
                        fillColor="black",
                        strokeColor=None,
                    )
                )
    return d


def render(certificate: Certificate, *, qr_text: str) -> bytes:
    font = _font()
    buf = io.BytesIO()
    width, height = landscape(A5)
    c = canvas.Canvas(buf, pagesize=(width, height))
    c.setTitle(f"{certificate.type.name} {certificate.identifier}")
    c.setAuthor(certificate.issuer_name)
    c.setLineWidth(1.2)
    c.rect(8 * mm, 8 * mm, width - 16 * mm, height - 16 * mm)
    c.setFont(font, 22)
    c.drawCentredString(width / 2, height - 24 * mm, certificate.type.name)
    c.setFont(font, 9)
    c.drawCentredString(width / 2, height - 31 * mm, f"证照标识：{certificate.identifier}")

    rows = [
        ("持证主体", certificate.holder_name),
        ("证件号码", certificate.holder_id_masked),
    ]
    labels = {f["name"]: f["label"] for f in certificate.type.fields}
    rows += [(labels.get(k, k), str(v)) for k, v in certificate.data.items()]
    rows += [
        ("颁发机构", certificate.issuer_name),
        ("颁发日期", certificate.issued_on.strftime("%Y年%m月%d日")),
        (
            "有效期至",
            certificate.valid_until.strftime("%Y年%m月%d日") if certificate.valid_until else "长期",
        ),
    ]
    y = height - 44 * mm
    for label, value in rows:
        c.setFont(font, 10)
        c.drawString(18 * mm, y, f"{label}：")
        c.setFont(font, 11)
        c.drawString(42 * mm, y, value[:38])
        y -= 7 * mm

    status = effective_status(certificate)
    if status != CertificateStatus.VALID:
        c.saveState()
        c.setFillColorRGB(0.8, 0.1, 0.1)
        c.setFont(font, 28)
        c.translate(width / 2 - 20 * mm, height / 2)
        c.rotate(20)
        c.drawCentredString(0, 0, str(CertificateStatus(status).label))
        c.restoreState()

    size = 38 * mm
    qr_x, qr_y = width - size - 16 * mm, 20 * mm
    renderPDF.draw(_qr_drawing(qr_text, size), c, qr_x, qr_y)
    # On screen the code is also a link: clicking it opens the same verification page.
    c.linkURL(qr_text, (qr_x, qr_y, qr_x + size, qr_y + size), relative=0)
    c.setFont(font, 8)
    c.drawCentredString(width - size / 2 - 16 * mm, 16 * mm, "扫码核验真伪与状态")
    c.drawString(18 * mm, 14 * mm, f"签名密钥 {certificate.signing_key_id} · Ed25519")
    c.showPage()
    c.save()
    return buf.getvalue()
