# The sentence encoder's piece tokenizer in Python, for training: NFKC, spaces as U+2581 with one
# in front, the segmentation with the highest total piece score (Viterbi), unknown characters as
# id 0 with runs merged. src/rag/sentence_encoder.cpp's PieceTokenizer is the one the server runs.
import json, os, unicodedata
from student import PUBLISHED, MAX_PIECES


class Pieces:
    def __init__(self):
        vocab = json.load(open(os.path.join(PUBLISHED, 'vocab.json')))
        self.pieces = {}
        for i, (piece, score) in enumerate(vocab):
            if i >= 6:  # the reserved symbols are never matched
                self.pieces[piece] = (float(score) if isinstance(score, (int, float)) else 0.0, i)
        self.longest = max(len(p) for p in self.pieces)
        self.names = [v[0] for v in vocab]

    def encode(self, text):
        t = unicodedata.normalize('NFKC', text)
        if not t:
            return []
        t = '\u2581' + t.replace(' ', '\u2581')
        n = len(t)
        best = [0.0] * (n + 1)
        last = [0] * (n + 1)
        length = [1] * (n + 1)
        ending = [[] for _ in range(n + 1)]
        for start in range(n):
            matched = False
            for size in range(1, min(self.longest, n - start) + 1):
                piece = self.pieces.get(t[start:start + size])
                if piece:
                    ending[start + size].append((start, piece, size))
                    matched = True
            if not matched:
                ending[start + 1].append((start, (0.0, 0), 1))
        for end in range(n + 1):
            for start, (score, i), size in ending[end]:
                total = score + best[start]
                if best[end] == 0 or total >= best[end]:
                    best[end], last[end], length[end] = total, i, size
        ids, at = [], n
        while at > 0:
            ids.append(last[at])
            at -= length[at]
        out = []
        for i in reversed(ids):
            if not (i == 0 and out and out[-1] == 0):
                out.append(i)
        return out[:MAX_PIECES]
