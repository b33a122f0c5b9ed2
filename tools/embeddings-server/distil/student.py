# The distilled encoder's definition, shared by training (train_student.py) and the reference
# vectors the C++ test compares against (reference.py). One pre-norm Transformer layer, 256 wide,
# over the sentence encoder's own piece embeddings and timing signal (frozen), a final layer
# norm, mean pooling and a tanh layer to the encoder's 512 dimensions.
import json, math, os
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
PUBLISHED = os.path.join(HERE, '..', 'node_modules', '@energetic-ai', 'model-embeddings-en', 'dist')
WIDTH, HIDDEN, HEADS, OUTPUT, MAX_PIECES = 256, 512, 4, 512, 128


def published_weight(name):
    """One float32 weight of the published TensorFlow.js model, by name."""
    model = json.load(open(os.path.join(PUBLISHED, 'model.json')))
    offset = 0
    for group in model['weightsManifest']:
        data = b''.join(open(os.path.join(PUBLISHED, p), 'rb').read() for p in group['paths'])
        offset = 0
        for w in group['weights']:
            count = int(np.prod(w['shape'])) if w['shape'] else 1
            if w['name'] == name:
                return np.frombuffer(data, dtype=np.float32, count=count, offset=offset).reshape(w['shape'])
            offset += count * 4
    raise KeyError(name)


def timing_signal(length, channels=WIDTH):
    """The encoder's sinusoid timing signal (tensor2tensor's), 1e4 the longest timescale."""
    half = channels // 2
    inverse = torch.tensor([math.exp(-math.log(1e4) * j / (half - 1)) for j in range(half)])
    angles = torch.arange(length, dtype=torch.float32)[:, None] * inverse[None, :]
    return torch.cat([torch.sin(angles), torch.cos(angles)], 1)


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.n1 = nn.LayerNorm(WIDTH)
        self.att = nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
        self.n2 = nn.LayerNorm(WIDTH)
        self.f1 = nn.Linear(WIDTH, HIDDEN)
        self.f2 = nn.Linear(HIDDEN, WIDTH)

    def forward(self, x, pad):
        h = self.n1(x)
        a, _ = self.att(h, h, h, key_padding_mask=pad, need_weights=False)
        x = x + a
        return x + self.f2(F.relu(self.f1(self.n2(x))))


class Student(nn.Module):
    def __init__(self, embeddings):
        super().__init__()
        self.register_buffer('embeddings', torch.as_tensor(np.array(embeddings)), persistent=False)
        self.register_buffer('timing', timing_signal(MAX_PIECES), persistent=False)
        self.layers = nn.ModuleList([Layer()])
        self.nf = nn.LayerNorm(WIDTH)
        self.proj = nn.Linear(WIDTH, OUTPUT)

    def forward(self, ids, pad):
        # As the encoder's graph does: each piece's embedding twice, once with the timing signal.
        x = 2 * self.embeddings[ids] + self.timing[: ids.shape[1]][None]
        for layer in self.layers:
            x = layer(x, pad)
        x = self.nf(x)
        keep = (~pad).float()[..., None]
        pooled = (x * keep).sum(1) / keep.sum(1)
        return F.normalize(torch.tanh(self.proj(pooled)), dim=-1)


def load_embeddings():
    return published_weight('module/Embeddings_en').reshape(-1, 256)
