"""Draw the notebooks' figures and embed them in the source notebooks.

Each figure is drawn with matplotlib, once per language (the figures carry
text), and written as a markdown cell attachment of ``source/<id>/<id>.ipynb``
in a cell of its own, placed after the cell named in ``PLACES``; then
``assignments/`` and ``solutions/`` are rebuilt with nbgrader (``rnnquiz
build``). A fix to a figure is an edit here and a re-run:

    .venv/bin/python scripts/figures.py            # redraw, embed, rebuild
    .venv/bin/python scripts/figures.py --png DIR  # also write the PNGs to DIR, to look at them

The output is deterministic: the same PNG bytes on every run (fixed seeds,
no metadata). The text around a figure is the notebook's own; this script
owns only the figure cells (image, alt text, numbered caption).
"""
from __future__ import annotations

import argparse
import base64
import io
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DPI = 100
PALETTE_COLORS = 128  # PNGs are quantized to a palette: a few times smaller, no visible loss on line art

# One colour per kind of quantity, in every figure.
INPUT, STATE, OUTPUT, BIAS, INK, GREY = "#2f6fad", "#d9731c", "#2e8b3e", "#7b55a8", "#222222", "#8a8a8a"


@dataclass(frozen=True)
class Place:
    """A figure cell: its id, the cell it follows, the figure it shows."""
    cell_id: str
    after: str
    figure: str


# Where each figure goes, per content folder (both languages get the same cells).
PLACES = {
    "rnn_from_scratch": [
        Place("fig-mlp-rnn", "md-03", "mlp_vs_rnn"),
        Place("fig-concat", "md-06", "concat_identity"),
        Place("fig-network", "md-10", "course_network"),
        Place("fig-unrolled", "fig-network", "course_network_unrolled"),
        Place("fig-char-model", "md-13", "char_model"),
    ],
    "torch_rnn_by_hand": [
        Place("fig-network", "md-03", "course_network"),
        Place("fig-unrolled", "fig-network", "course_network_unrolled"),
    ],
    "rnn_gradients": [
        Place("fig-gradients", "code-12", "gradient_norms"),
    ],
}

WORD = {"pt": "Figura", "en": "Figure"}

# Alt text (what the figure shows, for who cannot see it) and caption, per language.
TEXT = {
    "mlp_vs_rnn": {
        "pt": ("Dois diagramas lado a lado. À esquerda, um MLP: a entrada X vai para a camada oculta H e dela "
               "para a saída O, sempre para cima, sem nenhuma seta voltando. À direita, uma RNN: a entrada X_t "
               "vai para o estado oculto H_t e dele para a saída O_t, e uma seta sai de H_t e volta para ele "
               "com atraso de um passo, com os pesos W_hh: o estado do passo anterior, H_t-1, entra no cálculo "
               "do passo atual.",
               "Um MLP tem camada oculta, mas nenhum estado; a RNN realimenta o estado oculto "
               "$\\mathbf{H}_{t-1}$ no passo seguinte."),
        "en": ("Two diagrams side by side. On the left, an MLP: the input X goes to the hidden layer H and from "
               "there to the output O, always upwards, with no arrow going back. On the right, an RNN: the input "
               "X_t goes to the hidden state H_t and from there to the output O_t, and an arrow leaves H_t and "
               "comes back into it one step later, through the weights W_hh: the previous step's state, H_t-1, "
               "enters the current step's computation.",
               "An MLP has a hidden layer but no state; an RNN feeds its hidden state "
               "$\\mathbf{H}_{t-1}$ back into the next step."),
    },
    "concat_identity": {
        "pt": ("Multiplicação de matrizes em blocos. A matriz de X e H lado a lado, de 3 linhas e 5 colunas "
               "(1 coluna de X, em azul, e 4 de H, em laranja), vezes a matriz com W_xh (1 linha, azul) "
               "empilhada sobre W_hh (4 linhas, laranja), de 5 linhas e 4 colunas, é igual a X W_xh mais "
               "H W_hh, duas matrizes de 3 linhas e 4 colunas.",
               "A concatenação em blocos: $(n, d+h) \\times (d+h, h)$ dá $\\mathbf{X} \\mathbf{W}_{xh} + "
               "\\mathbf{H} \\mathbf{W}_{hh}$, aqui com $n = 3$, $d = 1$, $h = 4$."),
        "en": ("Block matrix multiplication. The matrix of X and H side by side, 3 rows by 5 columns (1 column "
               "of X, in blue, and 4 of H, in orange), times the matrix with W_xh (1 row, blue) stacked on top "
               "of W_hh (4 rows, orange), 5 rows by 4 columns, equals X W_xh plus H W_hh, two matrices of 3 rows "
               "by 4 columns.",
               "The concatenation as blocks: $(n, d+h) \\times (d+h, h)$ gives $\\mathbf{X} \\mathbf{W}_{xh} + "
               "\\mathbf{H} \\mathbf{W}_{hh}$, here with $n = 3$, $d = 1$, $h = 4$."),
    },
    "course_network": {
        "pt": ("Diagrama da rede do curso. À esquerda, as entradas: x1 e x2 (azul), um nó de viés com valor 1 "
               "(roxo) e as 4 saídas do passo anterior, h1 a h4 em t-1 (laranja). À direita, 4 neurônios com "
               "tanh. Cada entrada se liga a cada neurônio: 8 ligações azuis (W_xh, 2 por 4), 4 roxas (viés b_h) "
               "e 16 laranja (W_hh, 4 por 4). Uma seta tracejada leva as saídas de volta às entradas recorrentes. "
               "Total: 8 + 4 + 16 = 28 parâmetros.",
               "A rede do curso: 2 entradas, 4 neurônios e um viés; as saídas voltam como entradas no passo "
               "seguinte. Cada ligação é um parâmetro: 8 + 4 + 16 = 28."),
        "en": ("Diagram of the course network. On the left, the inputs: x1 and x2 (blue), a bias node of value 1 "
               "(purple) and the 4 outputs of the previous step, h1 to h4 at t-1 (orange). On the right, 4 tanh "
               "neurons. Every input is connected to every neuron: 8 blue connections (W_xh, 2 by 4), 4 purple "
               "ones (bias b_h) and 16 orange ones (W_hh, 4 by 4). A dashed arrow takes the outputs back to the "
               "recurrent inputs. Total: 8 + 4 + 16 = 28 parameters.",
               "The course network: 2 inputs, 4 neurons and one bias; the outputs come back as inputs at the "
               "next step. Each connection is one parameter: 8 + 4 + 16 = 28."),
    },
    "course_network_unrolled": {
        "pt": ("A mesma rede desenrolada em 3 passos de tempo, da esquerda para a direita. O estado inicial H_0 "
               "(4 nós) liga-se aos 4 neurônios do passo 1, que se ligam aos do passo 2, e estes aos do passo 3, "
               "sempre pelas mesmas 16 ligações laranja W_hh. Em cada passo, as entradas x1 e x2 (azul, W_xh) e "
               "o viés 1 (roxo, b_h) chegam por baixo. Os rótulos W_xh, b_h e W_hh se repetem porque são as "
               "mesmas matrizes: 8 + 4 + 16 = 28 parâmetros, quantos forem os passos.",
               "A mesma rede desenrolada em 3 passos: as mesmas matrizes $\\mathbf{W}_{xh}$, $\\mathbf{b}_h$ "
               "e $\\mathbf{W}_{hh}$ em todos os passos, então continuam 28 parâmetros, não $3 \\times 28$."),
        "en": ("The same network unrolled over 3 time steps, from left to right. The initial state H_0 (4 nodes) "
               "is connected to the 4 neurons of step 1, which are connected to those of step 2, and these to "
               "those of step 3, always by the same 16 orange connections W_hh. At each step the inputs x1 and x2 "
               "(blue, W_xh) and the bias 1 (purple, b_h) come in from below. The labels W_xh, b_h and W_hh "
               "repeat because they are the same matrices: 8 + 4 + 16 = 28 parameters, however many steps.",
               "The same network unrolled over 3 steps: the same $\\mathbf{W}_{xh}$, $\\mathbf{b}_h$ and "
               "$\\mathbf{W}_{hh}$ at every step, so it is still 28 parameters, not $3 \\times 28$."),
    },
    "char_model": {
        "pt": ("Modelo de caracteres no texto machine, em 6 passos. Embaixo, as entradas m, a, c, h, i, n, uma "
               "por passo. Cada uma vai para o estado oculto H_t, e cada estado passa ao seguinte. De cada estado "
               "sai uma coluna de 7 pontuações, uma por letra do vocabulário (a, c, e, h, i, m, n), que passa "
               "pela softmax; a casa da letra-alvo está destacada. Em cima, os alvos a, c, h, i, n, e: a entrada "
               "deslocada de uma posição.",
               "O modelo de caracteres em \"machine\": entradas \"machin\", alvos \"achine\"; em cada passo a "
               "saída são $|\\mathcal{V}| = 7$ pontuações, uma por letra, que a softmax transforma em "
               "probabilidades."),
        "en": ("Character model on the text machine, over 6 steps. At the bottom, the inputs m, a, c, h, i, n, one "
               "per step. Each goes into the hidden state H_t, and each state passes on to the next. Out of each "
               "state comes a column of 7 scores, one per letter of the vocabulary (a, c, e, h, i, m, n), which "
               "goes through a softmax; the target letter's cell is highlighted. At the top, the targets a, c, h, "
               "i, n, e: the input shifted by one position.",
               "The character model on \"machine\": inputs \"machin\", targets \"achine\"; at each step the "
               "output is $|\\mathcal{V}| = 7$ scores, one per letter, which the softmax turns into "
               "probabilities."),
    },
    "gradient_norms": {
        "pt": ("Dois gráficos em escala logarítmica, com o número de passos de 1 a 60 no eixo horizontal e uma "
               "curva por raio espectral de W_hh: 0,5, 0,9, 1,1 e 1,5. À esquerda, a norma espectral de W_hh "
               "elevado a k, sem tanh: as curvas são quase retas, descem para 0,5 e 0,9 e sobem para 1,1 e 1,5 "
               "(até perto de 10 elevado a 11). À direita, a norma do gradiente da soma de H_T em relação a H_0, "
               "com tanh: as quatro curvas descem, mais devagar quanto maior o raio.",
               "Medido de verdade (uma RNN com $h = 8$, semente fixa): sem tanh, $\\|\\mathbf{W}_{hh}^k\\|_2$ "
               "encolhe ou cresce exponencialmente conforme o raio espectral $\\rho$; com tanh, o gradiente "
               "que chega a $\\mathbf{H}_0$ desaparece nos quatro casos."),
        "en": ("Two plots on a logarithmic scale, with the number of steps from 1 to 60 on the horizontal axis and "
               "one curve per spectral radius of W_hh: 0.5, 0.9, 1.1 and 1.5. On the left, the spectral norm of "
               "W_hh to the power k, without tanh: the curves are nearly straight lines, going down for 0.5 and "
               "0.9 and up for 1.1 and 1.5 (to nearly 10 to the 11). On the right, the norm of the gradient of "
               "the sum of H_T with respect to H_0, with tanh: all four curves go down, more slowly the larger "
               "the radius.",
               "Measured for real (an RNN with $h = 8$, fixed seed): without tanh, $\\|\\mathbf{W}_{hh}^k\\|_2$ "
               "shrinks or grows exponentially with the spectral radius $\\rho$; with tanh, the gradient that "
               "reaches $\\mathbf{H}_0$ vanishes in all four cases."),
    },
}

# Words drawn inside the figures.
LABEL = {
    "pt": {
        "mlp_title": "camada oculta, sem estado", "rnn_title": "o estado oculto é realimentado",
        "input": "entrada", "hidden_layer": "camada oculta", "hidden_state": "estado oculto", "output": "saída",
        "delay": "do passo\nanterior", "inputs": "entradas", "prev": "saídas do passo anterior",
        "neurons": "4 neurônios (tanh)", "feedback": "as saídas voltam como entradas no passo seguinte",
        "total": "total", "params": "parâmetros", "shape_xh": "(entradas, ocultos)", "step": "passo",
        "shared": "os mesmos $\\mathbf{W}_{xh}$, $\\mathbf{b}_h$ e $\\mathbf{W}_{hh}$ em todos os passos: "
                  "8 + 4 + 16 = 28 parâmetros",
        "target": "alvo", "softmax": "softmax",
        "scores": "saída: $|\\mathcal{V}| = 7$\npontuações, uma\npor letra (verde:\na letra-alvo)",
        "steps_k": "número de passos $k$", "steps_T": "número de passos $T$",
        "left_title": "sem tanh: $\\|\\mathbf{W}_{hh}^k\\|_2$",
        "right_title": "com tanh: $\\|\\partial \\ell / \\partial \\mathbf{H}_0\\|$, $\\ell$ = soma de $\\mathbf{H}_T$",
        "decimal": ",",
    },
    "en": {
        "mlp_title": "a hidden layer, no state", "rnn_title": "the hidden state is fed back",
        "input": "input", "hidden_layer": "hidden layer", "hidden_state": "hidden state", "output": "output",
        "delay": "from the\nprevious step", "inputs": "inputs", "prev": "outputs of the previous step",
        "neurons": "4 neurons (tanh)", "feedback": "the outputs come back as inputs at the next step",
        "total": "total", "params": "parameters", "shape_xh": "(inputs, hidden)", "step": "step",
        "shared": "the same $\\mathbf{W}_{xh}$, $\\mathbf{b}_h$ and $\\mathbf{W}_{hh}$ at every step: "
                  "8 + 4 + 16 = 28 parameters",
        "target": "target", "softmax": "softmax",
        "scores": "output: $|\\mathcal{V}| = 7$\nscores, one per\nletter (green:\nthe target letter)",
        "steps_k": "number of steps $k$", "steps_T": "number of steps $T$",
        "left_title": "without tanh: $\\|\\mathbf{W}_{hh}^k\\|_2$",
        "right_title": "with tanh: $\\|\\partial \\ell / \\partial \\mathbf{H}_0\\|$, $\\ell$ = sum of $\\mathbf{H}_T$",
        "decimal": ".",
    },
}


# --- drawing helpers -------------------------------------------------------------------

def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 11, "mathtext.fontset": "dejavusans",
                         "svg.hashsalt": "rnnquiz", "text.color": INK, "axes.edgecolor": INK})
    return plt


def _tint(color: str, amount: float = 0.82) -> tuple:
    """``color`` mixed with white (``amount`` of white): the fill behind a label."""
    from matplotlib.colors import to_rgb
    return tuple(c + (1 - c) * amount for c in to_rgb(color))


def _canvas(width: float, height: float):
    """A figure whose data units are inches: positions below are read straight off the page."""
    plt = _plt()
    fig = plt.figure(figsize=(width, height), dpi=DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def _box(ax, x, y, w, h, text, color, size=11, fill=0.82):
    from matplotlib.patches import FancyBboxPatch
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.08",
                                facecolor=_tint(color, fill), edgecolor=color, linewidth=1.6))
    ax.text(x, y, text, ha="center", va="center", fontsize=size)


def _node(ax, x, y, text, color, r=0.19, size=10):
    from matplotlib.patches import Circle
    ax.add_patch(Circle((x, y), r, facecolor=_tint(color), edgecolor=color, linewidth=1.5, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=size, zorder=4)


def _arrow(ax, start, end, color=INK, lw=1.6, style="-|>", connection="arc3,rad=0", dashed=False, shrink=2):
    from matplotlib.patches import FancyArrowPatch
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=14, color=color, linewidth=lw,
                                 connectionstyle=connection, shrinkA=shrink, shrinkB=shrink,
                                 linestyle=(0, (4, 3)) if dashed else "-", zorder=2))


def _edge(ax, p, q, color, r=0.19, lw=1.0, alpha=0.75):
    """A connection between two nodes of radius ``r``, drawn from rim to rim."""
    import math
    (x1, y1), (x2, y2) = p, q
    d = math.hypot(x2 - x1, y2 - y1)
    ux, uy = (x2 - x1) / d, (y2 - y1) / d
    ax.plot([x1 + ux * r, x2 - ux * r], [y1 + uy * r, y2 - uy * r], color=color, lw=lw, alpha=alpha,
            solid_capstyle="round", zorder=1)


def _number(value: float, lang: str) -> str:
    """A decimal number for mathtext, with the language's decimal mark ("{,}": no space after a comma)."""
    return f"{value:g}".replace(".", "{,}" if LABEL[lang]["decimal"] == "," else ".")


# --- the figures ---------------------------------------------------------------------

def mlp_vs_rnn(lang: str):
    L = LABEL[lang]
    fig, ax = _canvas(8.6, 3.7)
    for cx, name, title, state in ((1.75, "MLP", L["mlp_title"], False), (5.25, "RNN", L["rnn_title"], True)):
        t = "_t" if state else ""
        ax.text(cx, 3.48, name, ha="center", va="center", fontsize=12.5, weight="bold")
        ax.text(cx, 3.17, title, ha="center", va="center", fontsize=11)
        _box(ax, cx, 0.45, 2.3, 0.52, f"{L['input']} $\\mathbf{{X}}{t}$", INPUT)
        hidden = L["hidden_state"] if state else L["hidden_layer"]
        _box(ax, cx, 1.55, 2.3, 0.52, f"{hidden} $\\mathbf{{H}}{t}$", STATE)
        _box(ax, cx, 2.65, 2.3, 0.52, f"{L['output']} $\\mathbf{{O}}{t}$", OUTPUT)
        _arrow(ax, (cx, 0.71), (cx, 1.29))
        _arrow(ax, (cx, 1.81), (cx, 2.39))
        ax.text(cx + 0.1, 1.0, "$\\mathbf{W}_{xh}$, $\\mathbf{b}_h$", ha="left", va="center", fontsize=10)
        ax.text(cx + 0.1, 2.1, "$\\mathbf{W}_{hq}$, $\\mathbf{b}_q$", ha="left", va="center", fontsize=10)
        if state:
            # the loop: out of the state's right side, around, back in one step later
            _arrow(ax, (cx + 1.15, 1.7), (cx + 1.15, 1.4), color=STATE, lw=2.0,
                   connection="arc,angleA=0,angleB=0,armA=45,armB=45,rad=14")
            ax.text(cx + 1.75, 1.55, f"$\\mathbf{{H}}_{{t-1}}$, $\\mathbf{{W}}_{{hh}}$\n{L['delay']}",
                    ha="left", va="center", fontsize=10, color=STATE, linespacing=1.5)
    ax.plot([3.5, 3.5], [0.2, 3.55], color=GREY, lw=0.8, ls=(0, (2, 3)))
    return fig


def course_network(lang: str):
    L = LABEL[lang]
    fig, ax = _canvas(8.6, 4.6)
    left, right = 1.5, 4.3
    inputs = [(left, 4.0), (left, 3.5)]
    bias = (left, 2.85)
    prev = [(left, 2.2 - 0.5 * i) for i in range(4)]
    neurons = [(right, 3.45 - 0.62 * i) for i in range(4)]
    for p in inputs:
        for q in neurons:
            _edge(ax, p, q, INPUT)
    for q in neurons:
        _edge(ax, bias, q, BIAS)
    for p in prev:
        for q in neurons:
            _edge(ax, p, q, STATE, alpha=0.55)
    for i, p in enumerate(inputs, start=1):
        _node(ax, *p, f"$x_{i}$", INPUT)
    _node(ax, *bias, "1", BIAS)
    for i, p in enumerate(prev, start=1):
        _node(ax, *p, f"$h_{i}$", STATE, size=9)
    for i, q in enumerate(neurons, start=1):
        _node(ax, *q, f"$h_{i}$", STATE, r=0.22)
        _arrow(ax, (q[0] + 0.24, q[1]), (q[0] + 0.9, q[1]), color=STATE, shrink=0)
    ax.text(left - 0.35, 3.75, f"{L['inputs']}\n$\\mathbf{{X}}_t$", ha="right", va="center", fontsize=10,
            color=INPUT)
    ax.text(left - 0.35, 2.85, "$\\mathbf{b}_h$", ha="right", va="center", fontsize=10, color=BIAS)
    ax.text(left - 0.35, 2.52, "$\\mathbf{H}_{t-1}$", ha="right", va="center", fontsize=11, color=STATE)
    ax.text(right, 4.0, L["neurons"], ha="center", va="center", fontsize=10)
    ax.text(right + 1.0, 1.83, "$\\mathbf{H}_t$", ha="left", va="center", fontsize=11, color=STATE)
    # the feedback: every output back to the recurrent inputs, one step later
    bus_x, low = right + 0.9, 0.22
    ax.plot([bus_x, bus_x], [neurons[0][1], low], color=STATE, lw=1.6, ls=(0, (4, 3)))
    ax.plot([bus_x, 0.35], [low, low], color=STATE, lw=1.6, ls=(0, (4, 3)))
    ax.plot([0.35, 0.35], [low, prev[0][1]], color=STATE, lw=1.6, ls=(0, (4, 3)))
    for p in prev:
        _arrow(ax, (0.35, p[1]), (p[0] - 0.19, p[1]), color=STATE, lw=1.2, shrink=0)
    ax.text((bus_x + 0.35) / 2, low + 0.14, L["feedback"], ha="center", va="bottom", fontsize=9.5, color=STATE)
    # the count, read off the connections
    x0, y0 = 6.0, 3.65
    for k, (color, label) in enumerate(((INPUT, "$\\mathbf{W}_{xh}$: 2 × 4 = 8"), (BIAS, "$\\mathbf{b}_h$: 4"),
                                        (STATE, "$\\mathbf{W}_{hh}$: 4 × 4 = 16"))):
        y = y0 - 0.5 * k
        ax.plot([x0, x0 + 0.35], [y, y], color=color, lw=2.2)
        ax.text(x0 + 0.5, y, label, ha="left", va="center", fontsize=10.5)
    ax.text(x0 + 0.5, y0 - 0.22, L["shape_xh"], ha="left", va="center", fontsize=8.5, color=GREY)
    ax.plot([x0, x0 + 2.2], [y0 - 1.3, y0 - 1.3], color=INK, lw=0.8)
    ax.text(x0 + 0.5, y0 - 1.55, f"{L['total']}: 28 {L['params']}", ha="left", va="center", fontsize=10.5,
            weight="bold")
    return fig


def course_network_unrolled(lang: str):
    L = LABEL[lang]
    fig, ax = _canvas(9.4, 4.8)
    r = 0.17
    ys = [3.45 - 0.6 * i for i in range(4)]
    columns = [0.7, 3.35, 6.0, 8.65]
    # the recurrent connections, the same W_hh between every pair of steps
    for t in range(3):
        for ya in ys:
            for yb in ys:
                _edge(ax, (columns[t], ya), (columns[t + 1], yb), STATE, r=r, alpha=0.45, lw=0.9)
        ax.text((columns[t] + columns[t + 1]) / 2 + 0.25, 3.95, "$\\mathbf{W}_{hh}$", ha="center", va="center",
                fontsize=11, color=STATE)
    for y in ys:
        _node(ax, columns[0], y, "0", GREY, r=r, size=9)
    ax.text(columns[0], 3.95, "$\\mathbf{H}_0$", ha="center", va="center", fontsize=11)
    for t in range(1, 4):
        cx = columns[t]
        # the inputs come in from the lower left, far enough out that no line crosses a neuron
        feeds = [(cx - 2.05, 0.55), (cx - 1.65, 0.55), (cx - 1.2, 0.55)]
        for k, p in enumerate(feeds):
            for y in ys:
                _edge(ax, p, (cx, y), BIAS if k == 2 else INPUT, r=r, alpha=0.6, lw=0.9)
        _node(ax, *feeds[0], "$x_1$", INPUT, r=r, size=9)
        _node(ax, *feeds[1], "$x_2$", INPUT, r=r, size=9)
        _node(ax, *feeds[2], "1", BIAS, r=r, size=9)
        ax.text(cx - 1.85, 1.0, "$\\mathbf{W}_{xh}$", ha="right", va="center", fontsize=10, color=INPUT)
        ax.text(cx - 1.0, 0.55, "$\\mathbf{b}_h$", ha="left", va="center", fontsize=10, color=BIAS)
        ax.text(cx - 1.85, 0.15, f"$\\mathbf{{X}}_{t}$ ({L['step']} {t})", ha="center", va="center", fontsize=10,
                color=INPUT)
        for y in ys:
            _node(ax, cx, y, "", STATE, r=r)
        ax.text(cx, 3.95, f"$\\mathbf{{H}}_{t}$", ha="center", va="center", fontsize=11, color=STATE)
    ax.text(4.7, 4.5, L["shared"], ha="center", va="center", fontsize=11,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "#f4f4f4", "edgecolor": GREY, "linewidth": 0.8})
    return fig


def concat_identity(lang: str):
    from matplotlib.patches import Rectangle
    fig, ax = _canvas(9.0, 3.0)
    c = 0.3          # one matrix entry, in inches
    n, d, h = 3, 1, 4
    mid = 1.6

    def matrix(x, blocks, rows_first):
        """Draw stacked blocks (colour, size) side by side or on top of each other; return the width."""
        total = sum(k for _c, k in blocks)
        rows, cols = (total, h) if rows_first else (n, total)
        top = mid + rows * c / 2
        offset = 0
        for color, k in blocks:
            for i in range(k):
                for j in range(cols if rows_first else 1):
                    for r in range(rows if not rows_first else 1):
                        row = offset + i if rows_first else r
                        col = j if rows_first else offset + i
                        ax.add_patch(Rectangle((x + col * c, top - (row + 1) * c), c, c, facecolor=_tint(color),
                                               edgecolor=color, linewidth=1.0))
            offset += k
        return cols * c, rows * c

    def label_below(x, w, text, code=""):
        ax.text(x + w / 2, 0.5, text, ha="center", va="center", fontsize=10.5)
        if code:
            ax.text(x + w / 2, 0.18, code, ha="center", va="center", fontsize=9.5, family="DejaVu Sans Mono")

    def operator(x, text):
        ax.text(x, mid, text, ha="center", va="center", fontsize=18)

    x = 0.6
    w, hgt = matrix(x, [(INPUT, d), (STATE, h)], rows_first=False)
    ax.text(x + d * c / 2, mid + hgt / 2 + 0.18, "$\\mathbf{X}$", ha="center", va="center", color=INPUT)
    ax.text(x + (d + h / 2) * c, mid + hgt / 2 + 0.18, "$\\mathbf{H}$", ha="center", va="center", color=STATE)
    label_below(x, w, f"$(n, d + h) = ({n}, {d + h})$", "cat((X, H), 1)")
    operator(x + w + 0.35, "×")
    x += w + 0.7 + 0.55
    w, hgt = matrix(x, [(INPUT, d), (STATE, h)], rows_first=True)
    top = mid + hgt / 2
    ax.text(x - 0.1, top - d * c / 2, "$\\mathbf{W}_{xh}$", ha="right", va="center", color=INPUT)
    ax.text(x - 0.1, top - (d + h / 2) * c, "$\\mathbf{W}_{hh}$", ha="right", va="center", color=STATE)
    label_below(x, w, f"$(d + h, h) = ({d + h}, {h})$", "cat((W_xh, W_hh), 0)")
    operator(x + w + 0.35, "=")
    x += w + 0.7
    for k, (color, text) in enumerate(((INPUT, "$\\mathbf{X} \\mathbf{W}_{xh}$"),
                                       (STATE, "$\\mathbf{H} \\mathbf{W}_{hh}$"))):
        w, hgt = matrix(x, [(color, h)], rows_first=False)
        ax.text(x + w / 2, mid + hgt / 2 + 0.18, text, ha="center", va="center", color=color)
        label_below(x, w, f"$(n, h) = ({n}, {h})$")
        if k == 0:
            operator(x + w + 0.35, "+")
            x += w + 0.7
    ax.text(4.5, 2.75, f"$n = {n}$, $d = {d}$, $h = {h}$", ha="center", va="center", fontsize=10.5, color=GREY)
    return fig


def char_model(lang: str):
    from matplotlib.patches import Rectangle
    L = LABEL[lang]
    text = "machine"
    vocab = sorted(set(text))
    fig, ax = _canvas(9.4, 5.0)
    x0, step = 2.45, 1.2
    for t, (inp, tgt) in enumerate(zip(text[:-1], text[1:])):
        cx = x0 + step * t
        _box(ax, cx, 0.4, 0.5, 0.46, f"{inp}", INPUT, size=13)
        _box(ax, cx, 1.35, 0.62, 0.46, f"$\\mathbf{{H}}_{t + 1}$", STATE)
        _arrow(ax, (cx, 0.63), (cx, 1.12))
        if t:
            _arrow(ax, (cx - step + 0.31, 1.35), (cx - 0.31, 1.35), color=STATE)
        # the output: one score per vocabulary entry, the target's cell marked
        cell, bottom = 0.19, 1.95
        for k, letter in enumerate(vocab):
            y = bottom + (len(vocab) - 1 - k) * cell
            hit = letter == tgt
            ax.add_patch(Rectangle((cx - 0.14, y), 0.28, cell, facecolor=_tint(OUTPUT, 0.35 if hit else 0.92),
                                   edgecolor=OUTPUT, linewidth=0.9))
            if t == 0:
                ax.text(cx - 0.22, y + cell / 2, letter, ha="right", va="center", fontsize=8.5, color=GREY)
        _arrow(ax, (cx, 1.58), (cx, bottom))
        top = bottom + len(vocab) * cell
        _arrow(ax, (cx, top), (cx, 3.92))
        ax.text(cx + 0.06, (top + 3.92) / 2, L["softmax"], ha="left", va="center", fontsize=8.5, color=GREY,
                rotation=90)
        _box(ax, cx, 4.15, 0.5, 0.46, f"{tgt}", OUTPUT, size=13)
    for y, words, color in ((0.4, f"{L['input']} $\\mathbf{{X}}_t$", INPUT),
                            (1.35, f"{L['hidden_state']} $\\mathbf{{H}}_t$", STATE),
                            (1.95 + 3.5 * 0.19, L["scores"], OUTPUT),
                            (4.15, L["target"], OUTPUT)):
        ax.text(0.15, y, words, ha="left", va="center", fontsize=10.5, color=color)
    ax.text(x0 + step * 2.5, 4.72, '"machine":  "machin" → "achine"', ha="center", va="center", fontsize=11)
    return fig


def gradient_series(rhos=(0.5, 0.9, 1.1, 1.5), h=8, d=2, steps=60, seed=0):
    """Measured, not sketched: for W_hh scaled to each spectral radius, ‖W_hh^k‖₂ (k = 1..steps) and the
    norm of d(H_T.sum())/dH_0 through a tanh RNN (T = 1..steps), on one fixed random draw, in float64."""
    import torch
    gen = torch.Generator().manual_seed(seed)
    base = torch.randn(h, h, generator=gen, dtype=torch.float64)
    W_xh = torch.randn(d, h, generator=gen, dtype=torch.float64) * 0.5
    inputs = torch.randn(steps, 1, d, generator=gen, dtype=torch.float64)
    radius = torch.linalg.eigvals(base).abs().max()
    series = {}
    for rho in rhos:
        W_hh = base * (rho / radius)
        power, powers = torch.eye(h, dtype=torch.float64), []
        for _ in range(steps):
            power = power @ W_hh
            powers.append(torch.linalg.matrix_norm(power, ord=2).item())
        H0 = torch.zeros(1, h, dtype=torch.float64, requires_grad=True)
        H, states = H0, []
        for X in inputs:
            H = torch.tanh(X @ W_xh + H @ W_hh)
            states.append(H)
        grads = [torch.autograd.grad(s.sum(), H0, retain_graph=True)[0].norm().item() for s in states]
        series[rho] = (powers, grads)
    return series


def gradient_norms(lang: str):
    plt = _plt()
    L = LABEL[lang]
    series = gradient_series()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 3.8), dpi=DPI, sharex=True)
    colors = ["#2f6fad", "#5aa0d8", "#e8a25c", "#c0501a"]
    for (rho, (powers, grads)), color in zip(series.items(), colors):
        ks = range(1, len(powers) + 1)
        label = f"$\\rho = {_number(rho, lang)}$"
        left.plot(ks, powers, color=color, lw=2, label=label)
        right.plot(ks, grads, color=color, lw=2, label=label)
    for ax, title, xlabel in ((left, L["left_title"], L["steps_k"]), (right, L["right_title"], L["steps_T"])):
        ax.set_yscale("log")
        ax.set_title(title, fontsize=11)
        ax.set_xlabel(xlabel)
        ax.axhline(1.0, color=GREY, lw=0.8, ls=(0, (2, 3)))
        ax.grid(True, which="major", axis="y", color="#e6e6e6", lw=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_xlim(1, 60)
    left.legend(frameon=False, fontsize=10, loc="lower left")
    fig.tight_layout()
    return fig


FIGURES = {f.__name__: f for f in (mlp_vs_rnn, course_network, course_network_unrolled, concat_identity,
                                   char_model, gradient_norms)}


def png(figure: str, lang: str) -> bytes:
    """One figure in one language, as PNG bytes: the same bytes on every run."""
    from PIL import Image
    plt = _plt()
    fig = FIGURES[figure](lang)
    raw = io.BytesIO()
    fig.savefig(raw, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    plt.close(fig)
    image = Image.open(raw).convert("RGB").quantize(colors=PALETTE_COLORS, method=Image.Quantize.MEDIANCUT,
                                                     dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- the notebooks ---------------------------------------------------------------------

def figure_cell(place: Place, number: int, lang: str, data: bytes) -> dict:
    alt, caption = TEXT[place.figure][lang]
    if any(ch in alt for ch in "[]\n"):  # the alt text sits inside ![...]
        sys.exit(f"scripts/figures.py: the alt text of {place.figure!r} ({lang}) has a bracket or a line break")
    name = f"{place.figure}.png"
    source = f"![{alt}](attachment:{name})\n\n*{WORD[lang]} {number}. {caption}*"
    return {"cell_type": "markdown", "id": place.cell_id, "metadata": {}, "source": source,
            "attachments": {name: {"image/png": base64.b64encode(data).decode("ascii")}}}


def embed(path: Path, places: list, lang: str, drawn: dict) -> bool:
    """Put each figure cell after its anchor (or refresh it in place); True if the file changed."""
    import nbformat
    nb = nbformat.read(str(path), as_version=4)
    for place in places:
        ids = [c.get("id") for c in nb.cells]
        if place.cell_id in ids:
            continue
        if place.after not in ids:
            sys.exit(f"{path}: no cell with id {place.after!r} to put figure {place.figure!r} after; "
                     f"fix PLACES in scripts/figures.py")
        nb.cells.insert(ids.index(place.after) + 1, nbformat.from_dict(
            {"cell_type": "markdown", "id": place.cell_id, "metadata": {}, "source": ""}))
    # numbered in the order the notebook shows them
    order = [c.get("id") for c in nb.cells]
    for number, place in enumerate(sorted(places, key=lambda p: order.index(p.cell_id)), start=1):
        cell = figure_cell(place, number, lang, drawn[place.figure, lang])
        nb.cells[order.index(place.cell_id)] = nbformat.from_dict(cell)
    nbformat.validate(nb)
    text = nbformat.writes(nb) + "\n"
    if path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def notebooks(root: Path = ROOT):
    """(path, places, language) of every source notebook that has figures."""
    from rnnquiz.model import content
    for base, twins in sorted(content.course_catalog(root).bases().items()):
        for a in sorted(twins, key=lambda a: a.id):
            if base in PLACES:
                yield root / "source" / a.id / f"{a.id}.ipynb", PLACES[base], a.lang


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Draw the notebooks' figures, embed them, rebuild.")
    parser.add_argument("--png", type=Path, help="also write every PNG to this folder")
    parser.add_argument("--no-build", action="store_true", help="do not run `rnnquiz build` afterwards")
    args = parser.parse_args(argv)
    todo = list(notebooks())
    wanted = sorted({(p.figure, lang) for _path, places, lang in todo for p in places})
    drawn = {key: png(*key) for key in wanted}
    if args.png:
        args.png.mkdir(parents=True, exist_ok=True)
        for (figure, lang), data in drawn.items():
            (args.png / f"{figure}_{lang}.png").write_bytes(data)
    for (figure, lang), data in drawn.items():
        print(f"{figure} ({lang}): {len(data) / 1024:.1f} KB")
    for path, places, lang in todo:
        print(f"{path.relative_to(ROOT)}: {'updated' if embed(path, places, lang, drawn) else 'unchanged'}")
    if not args.no_build:
        from rnnquiz.commands.build import build
        for path in build(ROOT):
            print(f"built {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
