# Writes reference vectors for src/rag/sentence_encoder.cpp's distilled encoder, computed by
# PyTorch from the exported folder (model/distilled) rather than from the training checkpoint, so
# the C++ test checks the export and the C++ forward pass together against an independent
# implementation.
#   python3 reference.py <model/distilled> <out.json>
import json, os, sys
import numpy as np
import torch
from student import Student, load_embeddings
from pieces import Pieces

folder, out = sys.argv[1], sys.argv[2]
manifest = json.load(open(os.path.join(folder, 'model.json')))
data = open(os.path.join(folder, 'weights.bin'), 'rb').read()
weights, offset = {}, 0
for w in manifest['weightsManifest'][0]['weights']:
    count = int(np.prod(w['shape']))
    weights[w['name']] = torch.tensor(np.frombuffer(data, np.float32, count, offset).reshape(w['shape']).copy())
    offset += count * 4
student = Student(load_embeddings())
with torch.no_grad():
    layer = student.layers[0]
    for module, name in [(layer.n1, 'attention_norm'), (layer.n2, 'ffn_norm')]:
        module.weight.copy_(weights[f'layer_0/{name}/scale'])
        module.bias.copy_(weights[f'layer_0/{name}/bias'])
    layer.att.in_proj_weight.copy_(weights['layer_0/qkv/kernel'].T)
    layer.att.in_proj_bias.copy_(weights['layer_0/qkv/bias'])
    layer.att.out_proj.weight.copy_(weights['layer_0/output/kernel'].T)
    layer.att.out_proj.bias.copy_(weights['layer_0/output/bias'])
    layer.f1.weight.copy_(weights['layer_0/ffn_in/kernel'].T)
    layer.f1.bias.copy_(weights['layer_0/ffn_in/bias'])
    layer.f2.weight.copy_(weights['layer_0/ffn_out/kernel'].T)
    layer.f2.bias.copy_(weights['layer_0/ffn_out/bias'])
    student.nf.weight.copy_(weights['final_norm/scale'])
    student.nf.bias.copy_(weights['final_norm/bias'])
    student.proj.weight.copy_(weights['pooled/kernel'].T)
    student.proj.bias.copy_(weights['pooled/bias'])
student.eval()
texts = [
    'how long should i rest between sets',
    'newborn at home, getting maybe 5 hrs a night. is lifting even worth it rn',
    'Knee hurts at the bottom of a squat, what can I do instead?',
]
pieces = Pieces()
cases = []
with torch.no_grad():
    for text in texts:
        ids = pieces.encode(text)
        vector = student(torch.tensor([ids]), torch.zeros(1, len(ids), dtype=torch.bool))[0]
        cases.append({'text': text, 'pieces': ids, 'vector': [round(float(x), 7) for x in vector]})
json.dump({'model': os.path.basename(os.path.normpath(folder)), 'cases': cases}, open(out, 'w'))
print(f'{len(cases)} reference vectors written to {out}')
