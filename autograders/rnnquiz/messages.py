"""Every sentence a student or instructor reads, in pt-BR and English.

Graders raise ``Wrong(key, mistake=..., **params)``; the text is chosen here
by the notebook's language, so graders never hold prose.
"""
from __future__ import annotations

import re

MESSAGES = {
    # --- what went wrong when calling the student's code --------------------
    "not_implemented": (
        "ainda não implementada: `{name}` ainda levanta NotImplementedError.",
        "not implemented yet: `{name}` still raises NotImplementedError."),
    "missing": (
        "`{name}` não foi encontrada no notebook: confira o nome e a assinatura da função e se a célula dela roda sem erro.",
        "`{name}` was not found in the notebook: check the function's name and signature and that its cell runs without errors."),
    "raised": (
        "`{name}` levantou {type}: {message}",
        "`{name}` raised {type}: {message}"),
    "timeout": (
        "`{name}` não terminou em {seconds:.0f} s (laço infinito?); o processo foi encerrado.",
        "`{name}` did not finish within {seconds:.0f} s (an infinite loop?); the process was stopped."),
    "crashed": (
        "o processo do aluno terminou durante `{name}` (os._exit, sys.exit, sinal ou falta de memória?).",
        "the student process ended during `{name}` (os._exit, sys.exit, a signal or out of memory?)."),
    "garbage": (
        "`{name}` devolveu algo que não pôde ser lido como dado ({message}).",
        "`{name}` returned something that could not be read as data ({message})."),
    "stale": (
        "`{name}` deixou processos respondendo no lugar dela (fork?); o processo foi encerrado.",
        "`{name}` left processes answering in its place (fork?); the process was stopped."),
    "deadline": (
        "o tempo total da submissão ({seconds:.0f} s) acabou antes de `{name}`.",
        "the submission's total time ({seconds:.0f} s) ran out before `{name}`."),
    # --- comparisons --------------------------------------------------------
    "wrong_type": (
        "{what}: esperava {expected}, recebeu {got}.",
        "{what}: expected {expected}, got {got}."),
    "wrong_shape": (
        "{what}: formato esperado {expected}, recebido {got}.",
        "{what}: expected shape {expected}, got {got}."),
    "wrong_dtype": (
        "{what}: dtype esperado {expected}, recebido {got}.",
        "{what}: expected dtype {expected}, got {got}."),
    "wrong_values": (
        "{what}: valores diferentes da referência do PyTorch (maior diferença {diff:.3g} na posição {index}; esperado {expected:.4g}, recebido {got:.4g}).",
        "{what}: values differ from the PyTorch reference (largest difference {diff:.3g} at index {index}; expected {expected:.4g}, got {got:.4g})."),
    # on hidden variants the reference value is not shown: feedback must not leak it
    "wrong_values_hidden": (
        "{what}: valores diferentes da referência do PyTorch (a maior diferença está na posição {index}).",
        "{what}: values differ from the PyTorch reference (the largest difference is at index {index})."),
    "wrong_value_hidden": (
        "{what}: valor errado (recebido {got}).",
        "{what}: wrong value (got {got})."),
    "wrong_value": (
        "{what}: esperado {expected}, recebido {got}.",
        "{what}: expected {expected}, got {got}."),
    "diverges_at_step": (
        "{what}: os estados coincidem até o passo {ok_steps} e divergem a partir do passo t={step}.",
        "{what}: the states match up to step {ok_steps} and diverge from time step t={step} on."),
    "hard_coded": (
        "{what}: a mesma resposta para entradas diferentes; o resultado parece fixo no código.",
        "{what}: the same answer for different inputs; the result looks hard-coded."),
    "_call": ("`{name}` {where}", "`{name}` {where}"),
    "example": ("no exemplo do enunciado", "on the example from the text"),
    "variant": ("na variante {i} (entradas sorteadas para você)", "on variant {i} (inputs drawn for you)"),
    # --- quiz ---------------------------------------------------------------
    "quiz_unanswered": (
        "ainda sem resposta: escreva uma das letras {choices} em `{name}`.",
        "not answered yet: set `{name}` to one of the letters {choices}."),
    "quiz_bad_choice": (
        "`{name}` deve ser uma das letras {choices}; recebido {got}.",
        "`{name}` must be one of the letters {choices}; got {got}."),
    "quiz_wrong": (
        "resposta {got} está incorreta.",
        "answer {got} is not correct."),
    # --- summaries ----------------------------------------------------------
    "passed": ("correto", "correct"),
    "likely": ("Provável erro: {text}", "Likely mistake: {text}"),
    "grader_error": (
        "erro interno do corretor nesta questão ({message}); avise o professor.",
        "internal grader error on this question ({message}); tell your instructor."),
    "cell_failed": (
        "a célula {index}{grade_id} levantou {type}: {message}",
        "cell {index}{grade_id} raised {type}: {message}"),
    "cell_lost": (
        "a célula {index}{grade_id} travou ou encerrou o processo ({type}) e foi pulada.",
        "cell {index}{grade_id} hung or ended the process ({type}) and was skipped."),
    "hidden_remain": (
        "Estas são só as verificações públicas. Na correção, testes ocultos usam outras entradas (sorteadas para cada aluno) e valem a nota.",
        "These are the public checks only. At grading time, hidden tests use other inputs (drawn for each student) and decide the grade."),
    "check_passed": ("passou nas verificações públicas", "passed the public checks"),
    "total": ("Total", "Total"),
}

# The typical mistakes, named once: graders refer to them by key.
MISTAKES = {
    "no_tanh": (
        "faltou a tanh: o resultado é X W_xh + H W_hh + b_h sem a não linearidade.",
        "tanh is missing: the result is X W_xh + H W_hh + b_h without the nonlinearity."),
    "w_hh_transposed": (
        "usou H @ W_hh.T; em d2l, W_hh já tem formato (h, h) orientado como H @ W_hh.",
        "used H @ W_hh.T; in d2l, W_hh is laid out to be used as H @ W_hh."),
    "tanh_per_term": (
        "aplicou tanh a cada termo separadamente; a tanh vale para a soma inteira X W_xh + H W_hh + b_h.",
        "applied tanh to each term separately; tanh applies to the whole sum X W_xh + H W_hh + b_h."),
    "bias_twice": (
        "somou o viés duas vezes.",
        "added the bias twice."),
    "concat_order": (
        "concatenou na ordem trocada (H antes de X, W_hh antes de W_xh): o produto até dá certo, mas os operandos não são os pedidos.",
        "concatenated in the wrong order (H before X, W_hh before W_xh): the product still works, but the operands are not the ones asked for."),
    "concat_axis": (
        "concatenou no eixo errado: X e H se juntam nas colunas (dim=1); W_xh e W_hh nas linhas (dim=0).",
        "concatenated along the wrong axis: X and H join along columns (dim=1); W_xh and W_hh along rows (dim=0)."),
    "state_not_carried": (
        "o estado oculto não é levado de um passo para o outro: cada passo usa o H inicial.",
        "the hidden state is not carried between steps: every step uses the initial H."),
    "batch_major_stack": (
        "empilhou as saídas como (n, T, h); a convenção aqui é (T, n, h) (torch.stack(outputs, dim=0)).",
        "stacked the outputs as (n, T, h); the convention here is (T, n, h) (torch.stack(outputs, dim=0))."),
    "last_state_only": (
        "devolveu só o último estado onde se pedia todos os estados.",
        "returned only the last state where all states were asked for."),
    "count_two_biases": (
        "contou dois vetores de viés (d·h + h·h + 2h, como o nn.RNN); a rede da figura tem um só: d·h + h + h·h.",
        "counted two bias vectors (d·h + h·h + 2h, as nn.RNN has); the figure's network has one: d·h + h + h·h."),
    "count_one_bias": (
        "contou um só vetor de viés (d·h + h + h·h, a rede da figura); o nn.RNN tem dois: bias_ih e bias_hh.",
        "counted one bias vector (d·h + h + h·h, the figure's network); nn.RNN has two: bias_ih and bias_hh."),
    "count_no_bias": (
        "esqueceu o viés: d·h + h·h conta só as matrizes de peso.",
        "left out the bias: d·h + h·h counts only the weight matrices."),
    "count_tensors": (
        "contou tensores de parâmetros (len(list(rnn.parameters()))) em vez de números: some p.numel().",
        "counted parameter tensors (len(list(rnn.parameters()))) instead of numbers: sum p.numel()."),
    "count_layers_input": (
        "nas camadas 2 em diante a entrada tem hidden_size features, não input_size.",
        "layers 2 and up take hidden_size inputs, not input_size."),
    "count_single_layer": (
        "contou só a primeira camada; cada camada tem seus próprios pesos.",
        "counted only the first layer; every layer has its own weights."),
    "hard_coded_count": (
        "a resposta é a mesma para todos os tamanhos: a conta precisa usar os argumentos.",
        "the answer is the same for every size: the count must use the arguments."),
    "targets_unshifted": (
        "os alvos não foram deslocados: entrada e alvo são o mesmo texto.",
        "the targets were not shifted: input and target are the same text."),
    "targets_reversed": (
        "deslocou para o lado errado: a entrada é text[:-1] e o alvo é text[1:].",
        "shifted the wrong way: the input is text[:-1] and the target text[1:]."),
    "targets_too_short": (
        "cortou caracteres demais: entrada e alvo têm len(text) - 1 caracteres.",
        "cut too many characters: input and target have len(text) - 1 characters."),
    "output_dim_one": (
        "a saída em cada passo não é 1 caractere: é um vetor de |V| pontuações (uma por token do vocabulário), que passa por softmax.",
        "the output at each step is not 1 character: it is a vector of |V| scores (one per vocabulary token), fed to a softmax."),
    "output_dim_hidden": (
        "usou o tamanho do estado oculto; a camada de saída leva ao tamanho do vocabulário.",
        "used the hidden size; the output layer maps to the vocabulary size."),
    "batch_first_shape": (
        "formato batch-first (n, T, |V|); sem batch_first, o nn.RNN usa (T, n, |V|).",
        "batch-first shape (n, T, |V|); without batch_first, nn.RNN uses (T, n, |V|)."),
    "reshape_not_transpose": (
        "usou reshape/view onde era preciso transpor (.T): os números ficam na ordem errada.",
        "used reshape/view where a transpose (.T) was needed: the numbers end up in the wrong order."),
    "weights_not_transposed": (
        "copiou os pesos sem transpor: o nn.RNN guarda weight_ih_l0 como (hidden, input), o transposto de w_ih.",
        "copied the weights without transposing: nn.RNN stores weight_ih_l0 as (hidden, input), the transpose of w_ih."),
    "bias_both_vectors": (
        "escreveu o viés em bias_ih_l0 e em bias_hh_l0: o nn.RNN soma os dois, então o viés conta em dobro.",
        "wrote the bias into both bias_ih_l0 and bias_hh_l0: nn.RNN adds them, so the bias counts twice."),
    "weights_untouched": (
        "os pesos continuam os aleatórios da inicialização: nada foi copiado para o módulo.",
        "the weights are still the random initial ones: nothing was copied into the module."),
    "numpy_untransposed": (
        "usou x @ weight_ih em vez de x @ weight_ih.T: os pesos do torch têm formato (hidden, input).",
        "used x @ weight_ih instead of x @ weight_ih.T: torch's weights have shape (hidden, input)."),
    "numpy_one_bias": (
        "somou só um dos vieses; o nn.RNN soma bias_ih e bias_hh.",
        "added only one of the biases; nn.RNN adds both bias_ih and bias_hh."),
    "returned_tensors": (
        "devolveu tensores do torch; esta função deve devolver arrays do NumPy (np.ndarray).",
        "returned torch tensors; this function must return NumPy arrays (np.ndarray)."),
    "h0_seed_shape": (
        "(1, 1, H) é o h0 do notebook original: com entrada (L, N, H_in), o lote é N, e o PyTorch exige h0 (num_layers, N, H).",
        "(1, 1, H) is the original notebook's h0: with input (L, N, H_in) the batch is N, and PyTorch requires h0 (num_layers, N, H)."),
    "h0_batch_major": (
        "h0 não é batch-first: mesmo com batch_first=True ele continua (num_layers, N, H).",
        "h0 is not batch-first: even with batch_first=True it stays (num_layers, N, H)."),
}


ECHO_LIMIT = 300  # characters of any one value echoed into feedback
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")


def clip(value, limit: int = ECHO_LIMIT) -> str:
    """A value as feedback may show it: control characters and terminal escapes
    removed, lone surrogates replaced, at most ``limit`` characters."""
    text = _CONTROL.sub("", str(value)[: limit * 4])
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text(key: str, lang: str, **params) -> str:
    """A message in ``lang``; unknown params or keys never break feedback.

    Every value is bounded (numbers keep their type for format specs): what a
    student's code returned or raised can never flood a report."""
    table = MESSAGES.get(key) or MISTAKES.get(key)
    if table is None:
        return clip(key)
    template = table[0 if lang == "pt" else 1]
    params = {k: v if type(v) in (int, float, bool) else clip(v) for k, v in params.items()}
    try:
        return template.format(**params)
    except (KeyError, ValueError, IndexError):
        return template
