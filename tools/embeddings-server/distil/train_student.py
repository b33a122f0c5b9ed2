# Trains the distilled encoder (student.py) to give the sentence encoder's vectors: on the
# encoded texts (encode.mjs), one minus the cosine with the teacher's 512-d vector plus the KL
# divergence between the topic classifier's probabilities of both; on the augmented variants
# (augment.py), whose topic vectors the server's in-process model gives, the KL term alone.
# About 25 minutes on two cores.
#   python3 train_student.py <encoded-dir> <variants.json> <variants-vectors.json> <out.pt>
import json, os, sys
import numpy as np
import torch
import torch.nn.functional as F
from student import Student, load_embeddings
from pieces import Pieces

EPOCHS = int(os.environ.get("DISTIL_EPOCHS", "25"))  # fewer only to try the script out
BATCH, KL_WEIGHT, TEMPERATURE = 64, 1.0, 0.05
torch.manual_seed(1)
np.random.seed(1)
torch.set_num_threads(os.cpu_count() or 1)
encoded, variants_path, variant_vectors_path, out = sys.argv[1:5]
pieces = Pieces()
here = os.path.dirname(os.path.abspath(__file__))
classifier = torch.tensor(np.fromfile(os.path.join(here, '..', 'model', 'topics.f32'),
                                      dtype=np.float32).reshape(513, -1))


def topic_logits(v):
    return (torch.cat([v, torch.ones(len(v), 1)], 1) @ classifier) / TEMPERATURE


texts, teacher = [], []
for kind in ['base', 'sentences', 'pairs']:
    kind_texts = json.load(open(os.path.join(encoded, kind, 'texts.json')))
    texts += kind_texts
    teacher.append(np.fromfile(os.path.join(encoded, kind, 'vectors.f32'), dtype=np.float32).reshape(len(kind_texts), 512))
teacher = torch.tensor(np.concatenate(teacher))
targets = torch.softmax(topic_logits(teacher), 1)
has_vector = torch.ones(len(texts))
variants = json.load(open(variants_path))
variant_topics = torch.tensor(json.load(open(variant_vectors_path)), dtype=torch.float32)
texts += variants
# The served topic vectors are probabilities scaled to unit length: divided by their sum again.
targets = torch.cat([targets, variant_topics / variant_topics.sum(1, keepdim=True)])
teacher = torch.cat([teacher, torch.zeros(len(variants), 512)])
has_vector = torch.cat([has_vector, torch.zeros(len(variants))])
ids = [pieces.encode(t) or [0] for t in texts]

n = len(ids)
order = np.random.permutation(n)
held_out = set(order[: n // 20].tolist())
train = [i for i in range(n) if i not in held_out]
check = sorted(held_out)
model = Student(load_embeddings())
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
steps = EPOCHS * (len(train) // BATCH + 1)
schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, 1e-3, total_steps=steps)


def batch(rows):
    longest = max(len(ids[i]) for i in rows)
    tokens = torch.zeros(len(rows), longest, dtype=torch.long)
    pad = torch.ones(len(rows), longest, dtype=torch.bool)
    for r, i in enumerate(rows):
        tokens[r, : len(ids[i])] = torch.tensor(ids[i])
        pad[r, : len(ids[i])] = False
    return tokens, pad


def losses(rows):
    v = model(*batch(rows))
    weight = has_vector[rows]
    cosine = ((1 - (v * teacher[rows]).sum(1)) * weight).sum() / weight.sum().clamp(min=1)
    kl = F.kl_div(F.log_softmax(topic_logits(v), 1), targets[rows], reduction='batchmean')
    return cosine, kl, v


for epoch in range(EPOCHS):
    model.train()
    shuffled = np.random.permutation(train)
    for chunk in (shuffled[i:i + 2048] for i in range(0, len(shuffled), 2048)):
        chunk = sorted(chunk, key=lambda i: len(ids[i]))  # similar lengths batch together
        batches = [chunk[i:i + BATCH] for i in range(0, len(chunk), BATCH)]
        np.random.shuffle(batches)
        for rows in batches:
            cosine, kl, _ = losses(list(rows))
            optimizer.zero_grad()
            (cosine + KL_WEIGHT * kl).backward()
            optimizer.step()
            schedule.step()
    if epoch % 5 == 4 or epoch == EPOCHS - 1:
        model.eval()
        with torch.no_grad():
            agree = 0
            for i in range(0, len(check), 256):
                rows = check[i:i + 256]
                _, _, v = losses(rows)
                agree += (topic_logits(v).argmax(1) == targets[rows].argmax(1)).sum().item()
        print(f'epoch {epoch + 1}: held-out texts whose first passage the teacher shares {agree / len(check):.3f}', flush=True)
torch.save(model.state_dict(), out)
