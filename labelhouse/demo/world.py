"""The simulated world: projects, languages, markets, item texts and annotation sites."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class _Project:
    project_id: str
    name: str
    share: float
    sla_hours: int
    due_date: str
    label_mix: tuple[float, ...]  # in LABELS order


PROJECTS: tuple[_Project, ...] = (
    _Project(
        "p_hate_2026q4",
        "Hate speech review Q4 – ตรวจสอบถ้อยคำแสดงความเกลียดชัง",
        0.35,
        24,
        "2026-11-20",
        (0.66, 0.14, 0.10, 0.03, 0.03, 0.01, 0.03),
    ),
    _Project(
        "p_violence_2026q4",
        "Violent extremism sweep – مراجعة التطرف العنيف",
        0.20,
        48,
        "2026-11-30",
        (0.72, 0.04, 0.04, 0.12, 0.02, 0.02, 0.04),
    ),
    _Project(
        "p_spam_2026q4",
        "Spam, scams & fraud – Kiểm duyệt thư rác",
        0.25,
        72,
        "2026-12-15",
        (0.70, 0.01, 0.02, 0.005, 0.23, 0.005, 0.03),
    ),
    _Project(
        "p_general_2026q4",
        "General safety sample – Sampel keamanan umum",
        0.20,
        48,
        "2026-12-31",
        (0.74, 0.04, 0.06, 0.02, 0.06, 0.015, 0.065),
    ),
)
UNKNOWN_PROJECT = "p_legacy_2025q3"
PROJECT_SHARES = np.array([p.share for p in PROJECTS])
PROJECT_SLA_HOURS = np.array([p.sla_hours for p in PROJECTS], dtype=np.float64)
PROJECT_LABEL_CUM = np.cumsum(np.array([p.label_mix for p in PROJECTS]), axis=1)
LABEL_PREVALENCE = PROJECT_SHARES @ np.array([p.label_mix for p in PROJECTS])

LANGUAGES: tuple[str, ...] = ("en", "id", "th", "vi", "ms", "ar", "es", "pt")
LANGUAGE_WEIGHTS = np.array([0.30, 0.14, 0.10, 0.10, 0.08, 0.10, 0.10, 0.08])
LANGUAGE_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("EN", "en-US", "en-GB"),
    ("ID", "id-ID"),
    ("TH", "th-TH"),
    ("VI", "vi-VN"),
    ("MS", "ms-MY"),
    ("AR", "ar-EG"),
    ("ES", "es-MX"),
    ("pt-BR", "PT"),
)
MARKETS: tuple[tuple[tuple[str, float], ...], ...] = (
    (("US", 0.45), ("GB", 0.2), ("PH", 0.15), ("SG", 0.1), ("IN", 0.1)),
    (("ID", 1.0),),
    (("TH", 1.0),),
    (("VN", 1.0),),
    (("MY", 0.85), ("SG", 0.15)),
    (("SA", 0.4), ("EG", 0.4), ("AE", 0.2)),
    (("MX", 0.5), ("ES", 0.3), ("CO", 0.2)),
    (("BR", 0.85), ("PT", 0.15)),
)
CONTENT_TYPES: tuple[str, ...] = ("post", "comment", "message", "profile", "image_caption")
CONTENT_WEIGHTS = np.array([0.45, 0.30, 0.10, 0.05, 0.10])
# priority: 1 = most urgent ... 4 = routine
PRIORITY_WEIGHTS = np.array([0.05, 0.20, 0.45, 0.30])

TEXTS: tuple[tuple[str, ...], ...] = (
    (
        "Just finished my shift, anyone up for coffee?",
        "This blender broke after two days, total waste of money",
        "Check out my new video, link in bio!!!",
        'Can\'t believe the match last night, what a "comeback"',
    ),
    (
        "Selamat pagi semuanya, semoga harimu menyenangkan",
        "Harga barang ini terlalu mahal, ada diskon?",
        "Ayo ikut giveaway, klik tautan di profil",
        "Macetnya parah banget hari ini",
    ),
    (
        "สวัสดีครับ วันนี้อากาศดีมาก",
        "ร้านนี้อาหารอร่อย แต่รอนานไปหน่อย",
        "ใครอยากได้ของฟรี กดลิงก์ในโปรไฟล์เลย",
        "ขอบคุณทุกคนที่มาร่วมงานเมื่อวานนี้",
    ),
    (
        "Chào buổi sáng, hôm nay trời đẹp quá",
        "Sản phẩm này dùng rất tốt, mình sẽ mua lại",
        "Nhấn vào liên kết để nhận quà miễn phí",
        "Trận đấu tối qua thật tuyệt vời",
    ),
    (
        "Selamat pagi semua, jangan lupa sarapan",
        "Barang ini sampai lambat tapi kualitinya bagus",
        "Sertai peraduan kami, klik pautan di bio",
        "Hujan lebat lagi petang ini",
    ),
    (
        "صباح الخير يا أصدقاء",
        "هذا المنتج رائع وأنصح به",
        "اضغط على الرابط للحصول على هدية مجانية",
        "كانت المباراة أمس مثيرة جدا",
    ),
    (
        "Buenos días a todos, ¡feliz lunes!",
        "El envío tardó mucho, pero el producto es bueno",
        "Sigue el enlace de mi perfil para ganar premios",
        "Qué partido tan increíble anoche",
    ),
    (
        "Bom dia, pessoal! Ótima semana",
        "A entrega atrasou, mas o produto é ótimo",
        "Clique no link da bio para ganhar brindes",
        "Que jogo incrível ontem à noite, emoção até o fim",
    ),
)
TEXTS_PER_LANGUAGE = len(TEXTS[0])


@dataclass(frozen=True)
class _Site:
    name: str
    vendor: str
    languages: tuple[str, ...]  # first = always spoken, others sometimes
    weight: float
    utc_offset_hours: int  # for shift hours


SITES: tuple[_Site, ...] = (
    _Site("Manila", "Northwind Labeling", ("en", "es"), 0.22, 8),
    _Site("Mexico City", "Northwind Labeling", ("es", "pt", "en"), 0.10, -6),
    _Site("Bangkok", "Cobalt Review", ("th", "en"), 0.12, 7),
    _Site("Jakarta", "Cobalt Review", ("id", "ms", "en"), 0.13, 7),
    _Site("Kuala Lumpur", "Cobalt Review", ("ms", "id", "en"), 0.08, 8),
    _Site("Ho Chi Minh City", "Lotus Data Services", ("vi", "en"), 0.12, 7),
    _Site("Cairo", "Meridian Trust Ops", ("ar", "en"), 0.12, 3),
    _Site("Lisbon", "Meridian Trust Ops", ("pt", "es", "en"), 0.11, 1),
)
MIN_LANGUAGE_POOL = 8
SHIFT_START_HOUR, SHIFT_END_HOUR = 8, 20  # local working hours of the annotation sites
P_OFF_SHIFT = 0.1  # share of work that happens outside those hours anyway
