# Writes a trained student (train_student.py's state dict) as a TensorFlow.js-style weight folder,
# model.json and one shard, the format src/rag/sentence_encoder.cpp already reads. Kernels are
# stored input x output (row-major), as the encoder's own are.
#   python3 export.py <student.pt> <out-dir>
import hashlib, json, os, sys
import numpy as np
import torch

state = torch.load(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
layers = sorted({int(k.split('.')[1]) for k in state if k.startswith('layers.')})
weights, blobs = [], []


def put(name, tensor):
    array = tensor.detach().numpy().astype(np.float32)
    weights.append({'name': name, 'shape': list(array.shape), 'dtype': 'float32'})
    blobs.append(array.tobytes())


# Each layer's weights: (name in the export, name in the state dict, stored transposed).
LAYER = [
    ('attention_norm/scale', 'n1.weight', False), ('attention_norm/bias', 'n1.bias', False),
    ('qkv/kernel', 'att.in_proj_weight', True), ('qkv/bias', 'att.in_proj_bias', False),
    ('output/kernel', 'att.out_proj.weight', True), ('output/bias', 'att.out_proj.bias', False),
    ('ffn_norm/scale', 'n2.weight', False), ('ffn_norm/bias', 'n2.bias', False),
    ('ffn_in/kernel', 'f1.weight', True), ('ffn_in/bias', 'f1.bias', False),
    ('ffn_out/kernel', 'f2.weight', True), ('ffn_out/bias', 'f2.bias', False),
]
TOP = [
    ('final_norm/scale', 'nf.weight', False), ('final_norm/bias', 'nf.bias', False),
    ('pooled/kernel', 'proj.weight', True), ('pooled/bias', 'proj.bias', False),
]
for i in layers:
    for name, key, transposed in LAYER:
        tensor = state[f'layers.{i}.{key}']
        put(f'layer_{i}/{name}', tensor.T.contiguous() if transposed else tensor)
for name, key, transposed in TOP:
    put(name, state[key].T.contiguous() if transposed else state[key])
with open(os.path.join(out, 'weights.bin'), 'wb') as f:
    for b in blobs:
        f.write(b)
width = state['nf.weight'].shape[0]
classifier = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'model', 'topics.f32')
model = {
    'format': 'voicefit-distilled-encoder',
    # The classifier it was trained through: a test says when ./train has replaced it.
    'classifier_sha256': hashlib.sha256(open(classifier, 'rb').read()).hexdigest(),
    'layers': len(layers),
    'width': width,
    'heads': 4,
    'layer_norm_epsilon': 1e-5,
    'weightsManifest': [{'paths': ['weights.bin'], 'weights': weights}],
}
with open(os.path.join(out, 'model.json'), 'w') as f:
    json.dump(model, f, indent=1)
print(f'{len(layers)} layer(s), width {width}, {sum(len(b) for b in blobs) / 4:.0f} weights')
