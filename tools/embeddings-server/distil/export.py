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


for i in layers:
    p = f'layers.{i}.'
    at = f'layer_{i}/'
    put(at + 'attention_norm/scale', state[p + 'n1.weight'])
    put(at + 'attention_norm/bias', state[p + 'n1.bias'])
    put(at + 'qkv/kernel', state[p + 'att.in_proj_weight'].T.contiguous())
    put(at + 'qkv/bias', state[p + 'att.in_proj_bias'])
    put(at + 'output/kernel', state[p + 'att.out_proj.weight'].T.contiguous())
    put(at + 'output/bias', state[p + 'att.out_proj.bias'])
    put(at + 'ffn_norm/scale', state[p + 'n2.weight'])
    put(at + 'ffn_norm/bias', state[p + 'n2.bias'])
    put(at + 'ffn_in/kernel', state[p + 'f1.weight'].T.contiguous())
    put(at + 'ffn_in/bias', state[p + 'f1.bias'])
    put(at + 'ffn_out/kernel', state[p + 'f2.weight'].T.contiguous())
    put(at + 'ffn_out/bias', state[p + 'f2.bias'])
put('final_norm/scale', state['nf.weight'])
put('final_norm/bias', state['nf.bias'])
put('pooled/kernel', state['proj.weight'].T.contiguous())
put('pooled/bias', state['proj.bias'])
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
