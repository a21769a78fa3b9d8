#!/usr/bin/python3
"""Exports a torchvision model as ONNX for `cosim import` (docs/import.md): built with random weights (no
download) by Debian's python3-torchvision, exported by python3-torch at 224x224 with a batch of 1, shapes only
(export_params=False: a few hundred KB; the importer reads no weights).

    /usr/bin/python3 scripts/export-torchvision.py MODEL OUT.onnx [--opset N]     e.g. resnet50 resnet50.onnx
"""
import argparse

import torch
import torchvision

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("model", help="a torchvision.models builder: resnet50, mobilenet_v2, vit_b_16, convnext_tiny, ...")
ap.add_argument("out", help="the .onnx file to write")
ap.add_argument("--opset", type=int, default=14, help="ONNX opset (PyTorch 1.13 exports 13-17)")
args = ap.parse_args()
model = getattr(torchvision.models, args.model)(weights=None).eval()
torch.onnx.export(model, torch.randn(1, 3, 224, 224), args.out, export_params=False, opset_version=args.opset)
print(f"export-torchvision: {args.model} -> {args.out}")
