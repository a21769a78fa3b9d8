"""Real models that no one here wrote: torchvision's, built with random weights (no download) by Debian's
python3-torchvision and exported by python3-torch, with an independent count of their multiply-accumulates
taken by forward hooks on the modules that do them. Used by test_torchvision_import.py (run by ctest)."""
import torch
import torchvision

# Published figures (torchvision's model documentation, "GFLOPS" column, which counts multiply-accumulates
# at 224x224) and the opset each export uses (PyTorch 1.13 exports opsets 13-17).
MODELS = {
    "resnet18": (1.81, 13),
    "resnet50": (4.09, 13),
    "mobilenet_v2": (0.30, 13),
    "mobilenet_v3_small": (0.06, 14),
    "efficientnet_b0": (0.39, 14),
    "vit_b_16": (17.56, 14),
    "convnext_tiny": (4.46, 17),
}


def build(name):
    torch.manual_seed(0)
    return getattr(torchvision.models, name)(weights=None).eval()


def hooked_macs(model, x):
    """MACs of every convolution, linear layer and attention product, in execution order: (kind, macs)."""
    counts = []

    def conv(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        counts.append(("conv", out.numel() // out.shape[0] * k))

    def linear(m, inp, out):
        rows = inp[0].numel() // inp[0].shape[-1] // inp[0].shape[0] if inp[0].dim() > 2 else 1
        counts.append(("linear", rows * m.in_features * m.out_features))

    def attention(m, inp, out):
        # nn.MultiheadAttention multiplies with its own parameters (not through Linear modules): the packed
        # input projection, Q.K^T and S.V per head, and the output projection.
        # (torchvision calls it with keyword arguments, so the tokens come from its output)
        o = out[0]
        tokens = o.shape[1] if m.batch_first else o.shape[0]
        e, h = m.embed_dim, m.num_heads
        counts.extend([("linear", tokens * e * 3 * e), ("matmul", h * tokens * tokens * (e // h)),
                       ("matmul", h * tokens * tokens * (e // h)), ("linear", tokens * e * e)])

    inside_attention = set()
    for m in model.modules():
        if isinstance(m, torch.nn.MultiheadAttention):
            m.register_forward_hook(attention)
            inside_attention.update(id(c) for c in m.modules() if c is not m)
    for m in model.modules():
        if id(m) in inside_attention:
            continue
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(conv)
        elif isinstance(m, torch.nn.Linear):
            m.register_forward_hook(linear)
    with torch.no_grad():
        model(x)
    return counts


def export(name, path):
    """Exports the model (no weights in the file: shapes are what the importer reads) and returns the hooked
    MAC counts."""
    model = build(name)
    x = torch.randn(1, 3, 224, 224)
    counts = hooked_macs(model, x)
    torch.onnx.export(build(name), x, path, opset_version=MODELS[name][1], export_params=False,
                      do_constant_folding=True)
    return counts
