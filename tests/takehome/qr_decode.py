"""A small QR code reader for the tests: the SVG the page draws → the text a phone would read.

No QR decoder is installable here, so this one is written from the standard (ISO/IEC 18004), for
what the page makes: one byte-mode segment, error correction level M. It reads the drawn modules
back (not the page's own data), checks the format bits and every Reed–Solomon block (a phone's
scanner rejects a code whose check words are wrong), and returns the decoded text.
"""
from __future__ import annotations

import re

# error correction level M, versions 1–40: check words per block, number of blocks
ECC_PER_BLOCK_M = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28,
                   28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28]
BLOCKS_M = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29,
            31, 33, 35, 37, 38, 40, 43, 45, 47, 49]
LEVELS = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}


def matrix_from_svg(svg: str) -> list[list[bool]]:
    """The dark modules of qrcode.js's createSvgTag: one `M x,y l c,0 0,c -c,0 0,-c z` per module."""
    size = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    cell = float(re.search(r"l([\d.]+),0 0,", svg).group(1))
    spots = [(float(x), float(y)) for x, y in re.findall(r"M([\d.]+),([\d.]+)l", svg)]
    margin = min(x for x, _ in spots)  # the top-left finder's corner is always dark
    n = round((size - 2 * margin) / cell)
    grid = [[False] * n for _ in range(n)]
    for x, y in spots:
        grid[round((y - margin) / cell)][round((x - margin) / cell)] = True
    return grid


def _format_code(data: int) -> int:
    bits = data << 10
    for i in range(14, 9, -1):  # BCH(15,5), generator x^10+x^8+x^5+x^4+x^2+x+1
        if bits >> i & 1:
            bits ^= 0b10100110111 << (i - 10)
    return ((data << 10) | bits) ^ 0b101010000010010


def _read_format(grid) -> tuple[str, int]:
    n = len(grid)
    rows = [0, 1, 2, 3, 4, 5, 7, 8] + list(range(n - 7, n))  # the copy beside the left finders (column 8)
    word = sum(grid[r][8] << i for i, r in enumerate(rows))
    best = min(range(32), key=lambda d: bin(_format_code(d) ^ word).count("1"))
    if bin(_format_code(best) ^ word).count("1") > 3:
        raise ValueError("no format information")
    return LEVELS[best >> 3], best & 7


def _alignment(version: int, n: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    step = 26 if version == 32 else (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    return [6] + sorted(n - 7 - i * step for i in range(count - 1))


def _function_modules(version: int, n: int) -> list[list[bool]]:
    f = [[False] * n for _ in range(n)]

    def mark(r0, c0, h, w):
        for r in range(max(0, r0), min(n, r0 + h)):
            for c in range(max(0, c0), min(n, c0 + w)):
                f[r][c] = True

    mark(0, 0, 9, 9)
    mark(0, n - 8, 9, 8)
    mark(n - 8, 0, 8, 9)  # finders, separators, format bits, the dark module
    mark(6, 0, 1, n)
    mark(0, 6, n, 1)  # timing
    pos = _alignment(version, n)
    for r in pos:
        for c in pos:
            if (r, c) not in ((6, 6), (6, n - 7), (n - 7, 6)):
                mark(r - 2, c - 2, 5, 5)
    if version >= 7:
        mark(0, n - 11, 6, 3)
        mark(n - 11, 0, 3, 6)
    return f


MASKS = [
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
]


def _codewords(grid, function, mask: int) -> list[int]:
    n = len(grid)
    bits: list[int] = []
    right, upward = n - 1, True
    while right > 0:
        if right == 6:
            right = 5  # the vertical timing line
        for i in range(n):
            r = n - 1 - i if upward else i
            for c in (right, right - 1):
                if not function[r][c]:
                    bits.append(int(grid[r][c] ^ MASKS[mask](r, c)))
        upward = not upward
        right -= 2
    return [int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits) - 7, 8)]


def _gf_tables():
    exp, log = [0] * 512, [0] * 256
    x = 1
    for i in range(255):
        exp[i], log[x] = x, i
        x <<= 1
        if x & 0x100:
            x ^= 0x11D
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    return exp, log


EXP, LOG = _gf_tables()


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else EXP[LOG[a] + LOG[b]]


def _check_words(data: list[int], count: int) -> list[int]:
    gen = [1]
    for i in range(count):  # ∏ (x − α^i)
        gen = [a ^ _mul(b, EXP[i]) for a, b in zip(gen + [0], [0] + gen, strict=True)]
    rem = list(data) + [0] * count
    for i in range(len(data)):
        factor = rem[i]
        if factor:
            for j, g in enumerate(gen):
                rem[i + j] ^= _mul(g, factor)
    return rem[len(data):]


def decode_matrix(grid: list[list[bool]]) -> str:
    n = len(grid)
    version = (n - 17) // 4
    if n != 17 + 4 * version or not 1 <= version <= 40:
        raise ValueError(f"not a QR code size: {n}")
    level, mask = _read_format(grid)
    if level != "M":
        raise ValueError(f"level {level}: this reader knows level M only")
    words = _codewords(grid, _function_modules(version, n), mask)
    blocks, ecc = BLOCKS_M[version - 1], ECC_PER_BLOCK_M[version - 1]
    short = len(words) // blocks
    long_count = len(words) % blocks
    lengths = [short - ecc + (i >= blocks - long_count) for i in range(blocks)]  # data words per block
    data_blocks: list[list[int]] = [[] for _ in range(blocks)]
    k = 0
    for i in range(max(lengths)):
        for b in range(blocks):
            if i < lengths[b]:
                data_blocks[b].append(words[k])
                k += 1
    ecc_blocks: list[list[int]] = [[] for _ in range(blocks)]
    for _ in range(ecc):
        for b in range(blocks):
            ecc_blocks[b].append(words[k])
            k += 1
    for b in range(blocks):
        if _check_words(data_blocks[b], ecc) != ecc_blocks[b]:
            raise ValueError(f"block {b}: wrong check words")
    stream = "".join(f"{w:08b}" for block in data_blocks for w in block)
    if stream[:4] != "0100":
        raise ValueError(f"mode {stream[:4]}: this reader knows byte mode only")
    width = 8 if version <= 9 else 16
    length = int(stream[4:4 + width], 2)
    start = 4 + width
    payload = bytes(int(stream[start + 8 * i:start + 8 * i + 8], 2) for i in range(length))
    if stream[start + 8 * length:start + 8 * length + 4] not in ("0000", stream[start + 8 * length:]):
        raise ValueError("more than one segment")
    return payload.decode("utf-8")


def decode_svg(svg: str) -> str:
    return decode_matrix(matrix_from_svg(svg))
