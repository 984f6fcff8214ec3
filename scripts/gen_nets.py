#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the bundled networks of nets/ from their published architectures.

Developer tool (the nets are committed; users never need to run this):
    python3 scripts/gen_nets.py nets/

Each network is written layer by layer in memplan's net.json format
(docs/net-json.md), with the architecture's published hyper-parameters.
"""
import json
import os
import sys


def make_divisible(v, divisor=8, min_value=None):
    """Channel rounding of the MobileNetV2 reference implementation."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class Net:
    def __init__(self, name, description, shape):
        self.doc = {
            "format": "memplan-net",
            "version": 1,
            "name": name,
            "description": description,
            "input": {"name": "input", "shape": shape, "dtype": "int8"},
            "layers": [],
        }
        self.last = "input"

    def add(self, name, op, inputs=None, **kw):
        layer = {"name": name, "op": op}
        if inputs is not None and inputs != [self.last]:
            layer["inputs"] = inputs
        layer.update(kw)
        self.doc["layers"].append(layer)
        self.last = name
        return name

    def repeat(self, name, count, layers):
        """A repeat group (docs/net-json.md): layers written once, run count times."""
        self.doc["layers"].append({"repeat": count, "name": name, "layers": layers})
        self.last = name
        return name

    def write(self, path):
        with open(path, "w") as f:
            f.write("{\n")
            keys = [k for k in self.doc if k != "layers"]
            for k in keys:
                f.write("  %s: %s,\n" % (json.dumps(k), json.dumps(self.doc[k])))
            f.write('  "layers": [\n')
            rows = [self.row(l) for l in self.doc["layers"]]
            f.write(",\n".join("    " + r for r in rows))
            f.write("\n  ]\n}\n")

    @staticmethod
    def row(layer):
        if "repeat" not in layer:
            return json.dumps(layer)
        head = {k: v for k, v in layer.items() if k != "layers"}
        inner = ",\n".join("      " + json.dumps(l) for l in layer["layers"])
        return json.dumps(head)[:-1] + ', "layers": [\n' + inner + "]}"


def mobilenet_v2(width, res, classes=1000):
    name = "mobilenetv2-w%s-r%d" % (("%.2f" % width).rstrip("0").rstrip(".") if width != 1 else "1.0", res)
    net = Net(name, "MobileNetV2 (Sandler et al., CVPR 2018), width %g, %dx%d RGB input; "
              "channels rounded to multiples of 8 as in the reference implementation; "
              "last conv 1280 channels; BN folded into conv biases" % (width, res, res),
              [res, res, 3])
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
    cin = make_divisible(32 * width)
    last_channel = make_divisible(1280 * max(1.0, width))
    x = net.add("conv1", "conv2d", filters=cin, kernel=3, stride=2, padding="same",
                activation="relu6")
    b = 0
    for t, c, n, s in settings:
        cout = make_divisible(c * width)
        for i in range(n):
            b += 1
            stride = s if i == 0 else 1
            hidden = int(round(cin * t))
            inp = x
            if t != 1:
                x = net.add("b%d_expand" % b, "conv2d", filters=hidden, kernel=1,
                            activation="relu6")
            x = net.add("b%d_dw" % b, "depthwise_conv2d", kernel=3, stride=stride,
                        padding="same", activation="relu6")
            x = net.add("b%d_project" % b, "conv2d", filters=cout, kernel=1)
            if stride == 1 and cin == cout:
                x = net.add("b%d_add" % b, "add", inputs=[inp, x])
            cin = cout
    net.add("conv_last", "conv2d", filters=last_channel, kernel=1, activation="relu6")
    net.add("pool", "mean")
    net.add("logits", "fully_connected", units=classes)
    net.add("softmax", "softmax")
    return net


def mobilenet_v1_person(alpha=0.25, res=96):
    net = Net("mobilenetv1-w0.25-r%d-gray" % res,
              "MobileNetV1 (Howard et al., 2017), width 0.25, %dx%d grayscale input, 2 classes: "
              "the architecture of TensorFlow Lite Micro's person-detection model" % (res, res),
              [res, res, 1])
    ch = lambda c: int(c * alpha)
    net.add("conv1", "conv2d", filters=ch(32), kernel=3, stride=2, activation="relu6")
    spec = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + \
        [(1024, 2), (1024, 1)]
    for i, (c, s) in enumerate(spec, start=1):
        net.add("b%d_dw" % i, "depthwise_conv2d", kernel=3, stride=s, activation="relu6")
        net.add("b%d_pw" % i, "conv2d", filters=ch(c), kernel=1, activation="relu6")
    net.add("pool", "avg_pool2d", kernel=3, padding="valid")
    net.add("logits", "conv2d", filters=2, kernel=1)
    net.add("flatten", "reshape", shape=[2])
    net.add("softmax", "softmax")
    return net


def mcunet_like(res=160, classes=1000):
    """A backbone in the style of MCUNet (Lin et al., NeurIPS 2020): inverted
    residual (MBConv) blocks with mixed 3/5/7 kernels and expansion ratios 3/4/6
    from the ProxylessNAS/MCUNet search space, half-width channels. Each stage is
    a first block (stride, channel change) and a repeat group of residual blocks."""
    net = Net("mcunet-like-r%d" % res,
              "MCUNet-like backbone, %dx%d RGB input: inverted-residual (MBConv) blocks "
              "with mixed 3/5/7 kernels and expansion ratios 3/4/6, written from the "
              "published block structure of the MCUNet/ProxylessNAS search spaces "
              "(Lin et al., NeurIPS 2020; Cai et al., ICLR 2019); not a released "
              "MCUNet checkpoint. Each stage is a first block and a repeat group of "
              "residual blocks" % (res, res), [res, res, 3])
    net.add("conv1", "conv2d", filters=16, kernel=3, stride=2, padding="same",
            activation="relu6")
    net.add("mb1_dw", "depthwise_conv2d", kernel=3, padding="same", activation="relu6")
    net.add("mb1_project", "conv2d", filters=8, kernel=1)
    cin = 8
    # stage, channels, stride, first block (expansion, kernel), repeated block, repetitions
    stages = [("s1", 16, 2, (4, 7), (3, 5), 2), ("s2", 24, 2, (6, 7), (4, 5), 2),
              ("s3", 40, 2, (6, 5), (4, 3), 2), ("s4", 48, 1, (6, 5), (3, 3), 2),
              ("s5", 96, 2, (6, 5), (4, 3), 2), ("s6", 160, 1, (6, 3), None, 0)]
    for name, c, s, (t, k), rep, n in stages:
        net.add(name + "_0_expand", "conv2d", filters=cin * t, kernel=1, activation="relu6")
        net.add(name + "_0_dw", "depthwise_conv2d", kernel=k, stride=s, padding="same",
                activation="relu6")
        net.add(name + "_0_project", "conv2d", filters=c, kernel=1)
        cin = c
        if n:
            t2, k2 = rep
            net.repeat(name, n, [
                {"name": name + "_expand", "op": "conv2d", "filters": c * t2, "kernel": 1,
                 "activation": "relu6"},
                {"name": name + "_dw", "op": "depthwise_conv2d", "kernel": k2, "stride": 1,
                 "padding": "same", "activation": "relu6"},
                {"name": name + "_project", "op": "conv2d", "filters": c, "kernel": 1},
                {"name": name + "_add", "op": "add", "inputs": [name, name + "_project"]}])
    net.add("pool", "mean")
    net.add("logits", "fully_connected", units=classes)
    net.add("softmax", "softmax")
    return net


# DARTS (second order) cell found on CIFAR-10: genotypes.py of the DARTS reference code.
DARTS_V2_NORMAL = [("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0),
                   ("sep_conv_3x3", 1), ("sep_conv_3x3", 1), ("skip_connect", 0),
                   ("skip_connect", 0), ("dil_conv_3x3", 2)]
DARTS_V2_REDUCE = [("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2),
                   ("max_pool_3x3", 1), ("max_pool_3x3", 0), ("skip_connect", 2),
                   ("skip_connect", 2), ("max_pool_3x3", 1)]


def darts_edge(net, prefix, op, x, c, stride):
    """One edge of a DARTS cell (eval mode), in the reference code's layer order."""
    if op == "skip_connect":
        assert stride == 1  # DARTS_V2 only skips within a resolution
        return x
    if op == "max_pool_3x3":
        return net.add(prefix + "_pool", "max_pool2d", [x], kernel=3, stride=stride,
                       padding="same")
    if op == "sep_conv_3x3":
        net.add(prefix + "_dw1", "depthwise_conv2d", [x], kernel=3, stride=stride)
        net.add(prefix + "_pw1", "conv2d", filters=c, kernel=1, activation="relu")
        net.add(prefix + "_dw2", "depthwise_conv2d", kernel=3)
        return net.add(prefix + "_pw2", "conv2d", filters=c, kernel=1)
    if op == "dil_conv_3x3":
        net.add(prefix + "_dw", "depthwise_conv2d", [x], kernel=3, stride=stride, dilation=2)
        return net.add(prefix + "_pw", "conv2d", filters=c, kernel=1)
    raise ValueError(op)


def darts_cell(net, k, genotype, s0, s1, c, reduction, reduction_prev):
    p = "c%d" % k
    if reduction_prev:  # FactorizedReduce: two stride-2 1x1 convs, concatenated
        a = net.add(p + "_pre0_a", "conv2d", [s0], filters=c // 2, kernel=1, stride=2,
                    padding="valid")
        b = net.add(p + "_pre0_b", "conv2d", [s0], filters=c // 2, kernel=1, stride=2,
                    padding="valid")
        s0 = net.add(p + "_pre0", "concat", [a, b])
    else:
        s0 = net.add(p + "_pre0", "conv2d", [s0], filters=c, kernel=1)
    s1 = net.add(p + "_pre1", "conv2d", [s1], filters=c, kernel=1)
    states = [s0, s1]
    for i in range(4):
        h = []
        for j in (2 * i, 2 * i + 1):
            op, index = genotype[j]
            stride = 2 if reduction and index < 2 else 1
            h.append(darts_edge(net, "%s_n%d_%s" % (p, i + 2, "ab"[j % 2]), op, states[index],
                                c, stride))
        states.append(net.add("%s_n%d" % (p, i + 2), "add", h))
    return net.add(p + "_out", "concat", states[2:])


def darts_cifar(c=16, layers=8, classes=10):
    net = Net("darts-v2-c%d-l%d-cifar" % (c, layers),
              "DARTS (Liu et al., ICLR 2019), cell DARTS_V2 searched on CIFAR-10, in the paper's "
              "search-network configuration: %d cells, %d initial channels, 32x32 RGB input, %d "
              "classes; cells c%d and c%d reduce (the evaluation network stacks 20 of the same "
              "cells with 36 channels). Layers in the reference code's forward order. "
              "Adaptations: BN folded into the convolutions; the ReLU that opens each "
              "SepConv/DilConv/ReLUConvBN is omitted (memplan fuses activations into the "
              "producing op, and these inputs are also read without ReLU); the second path of "
              "FactorizedReduce (a 1x1 conv of the input shifted by one pixel) is a plain "
              "stride-2 1x1 conv (same sizes); 3x3 max pools use TFLite SAME padding (PyTorch "
              "pads one pixel on each side: same output size); no auxiliary head "
              "(training only); the output is the logits"
              % (layers, c, classes, layers // 3, 2 * layers // 3),
              [32, 32, 3])
    stem = net.add("stem", "conv2d", filters=3 * c, kernel=3)
    s0 = s1 = stem
    reduction_prev = False
    for k in range(layers):
        reduction = k in (layers // 3, 2 * layers // 3)
        if reduction:
            c *= 2
        out = darts_cell(net, k, DARTS_V2_REDUCE if reduction else DARTS_V2_NORMAL, s0, s1, c,
                         reduction, reduction_prev)
        s0, s1 = s1, out
        reduction_prev = reduction
    net.add("pool", "mean", [s1])
    net.add("logits", "fully_connected", units=classes)
    return net


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "nets"
    os.makedirs(out, exist_ok=True)
    nets = [mobilenet_v2(1.0, 224), mobilenet_v2(0.35, 144), mobilenet_v1_person(),
            mcunet_like(), darts_cifar()]
    for n in nets:
        path = os.path.join(out, n.doc["name"] + ".json")
        n.write(path)
        print(path)


if __name__ == "__main__":
    main()
