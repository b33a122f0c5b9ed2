# The distillation set's second part: variants of the classifier's training texts with words
# swapped for their nearest neighbours in the encoder's own piece-embedding space (as TinyBERT
# augments with word-vector neighbours, Jiao et al. 2020) and with words dropped, so that the
# student sees how the teacher reads words the knowledge base does not use ("summer", "newborn").
#   python3 augment.py <encoded-dir> <out.json>
import json, os, random, re, sys
import numpy as np
from student import load_embeddings
from pieces import Pieces

random.seed(7)
encoded, out = sys.argv[1], sys.argv[2]
embeddings = load_embeddings()
names = Pieces().names
words = [i for i, p in enumerate(names) if p.startswith('\u2581') and re.fullmatch(r'[a-z]{3,}', p[1:])]
unit = embeddings[words] / np.linalg.norm(embeddings[words], axis=1, keepdims=True)
row_of = {names[i][1:]: r for r, i in enumerate(words)}
similarity = unit @ unit.T
np.fill_diagonal(similarity, -1)
nearest = np.argsort(-similarity, axis=1)[:, :8]
variants = []
for text in json.load(open(os.path.join(encoded, 'base', 'texts.json'))):
    if len(text) > 300:  # whole passages: their sentences are examples already
        continue
    tokens = text.split()
    for _ in range(3):
        swapped = []
        for word in tokens:
            row = row_of.get(word.lower())
            if row is not None and random.random() < 0.35:
                swapped.append(names[words[nearest[row][random.randrange(8)]]][1:])
            else:
                swapped.append(word)
        if swapped != tokens:
            variants.append(' '.join(swapped))
    kept = [w for w in tokens if random.random() > 0.25]
    if kept and len(kept) < len(tokens):
        variants.append(' '.join(kept))
variants = sorted(set(variants))
random.shuffle(variants)
json.dump(variants, open(out, 'w'))
print(f'{len(variants)} variants')
