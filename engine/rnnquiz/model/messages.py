"""The engine's own sentences, in pt-BR and English.

Graders raise ``Wrong(key, mistake=..., **params)``; the message for ``key``
is chosen here by the notebook's language.  The texts of typical mistakes
belong to each assignment (its ``assignment.toml``), not to the engine.
"""
from __future__ import annotations

import re

from rnnquiz.model.printable import printable

LANGS = ("pt", "en")  # the order of the texts in every entry below

# What replaces a solution in the student's notebook, in the notebook's language.
CODE_STUB = {
    "pt": "# SEU CÓDIGO AQUI\nraise NotImplementedError()",
    "en": "# YOUR CODE HERE\nraise NotImplementedError()",
}

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
    "memory": (
        "durante `{name}`, os processos da submissão passaram juntos do orçamento de memória; a submissão foi encerrada.",
        "during `{name}`, the submission's processes together went over their memory budget; the submission was stopped."),
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
    "other_assignment": (
        "é um notebook da tarefa {claimed!r} (os metadados dele dizem), salvo com o nome de {named!r}; confira-o como {claimed}.ipynb, ou abra o notebook de {named!r}.",
        "is a notebook of the assignment {claimed!r} (its metadata says so), saved under the name of {named!r}; check it as {claimed}.ipynb, or open the notebook of {named!r}."),
    "grader_error": (
        "erro interno do corretor nesta questão ({message}); avise o professor.",
        "internal grader error on this question ({message}); tell your instructor."),
    "cell_failed": (
        "a célula {index}{grade_id} levantou {type}: {message}",
        "cell {index}{grade_id} raised {type}: {message}"),
    "cell_lost": (
        "a célula {index}{grade_id} travou ou encerrou o processo ({type}) e foi pulada.",
        "cell {index}{grade_id} hung or ended the process ({type}) and was skipped."),
    "flag_markers": (
        "a célula {index} traz marcadores do nbgrader ({markers}): arquivos do professor chegaram a este notebook.",
        "cell {index} carries nbgrader's markers ({markers}): the instructor's files reached this notebook."),
    "flag_solution": (
        "traz {count} das {total} regiões de solução do professor, símbolo por símbolo (nomes de variáveis e comentários à parte: {names}).",
        "holds {count} of the instructor's {total} solution regions, token for token (variable names and comments aside: {names})."),
    "flag_time": (
        "a entrega dizia ter sido feita em {claimed}, mas seus arquivos foram escritos em {recorded}: vale {recorded}.",
        "the submission said it was made at {claimed}, but its files were written at {recorded}: {recorded} counts."),
    "flag_extra_files": (
        "{count} arquivo(s) extra da entrega ({names}) não foram copiados para autograded/: passam de {file:g} MB por arquivo ou {total:g} MB por entrega (max_file_size e max_dir_size do nbgrader).",
        "{count} extra file(s) of the submission ({names}) were not copied into autograded/: past {file:g} MB per file or {total:g} MB per submission (nbgrader's max_file_size and max_dir_size)."),
    "more_notes": (
        "e mais {count} células com erro.",
        "and {count} more cells with errors."),
    "hidden_remain": (
        "Estas são só as verificações públicas. Na correção, testes ocultos usam outras entradas (sorteadas para cada aluno) e valem a nota.",
        "These are the public checks only. At grading time, hidden tests use other inputs (drawn for each student) and decide the grade."),
    "this_notebook": ("este notebook", "this notebook"),
    "check_passed": ("passou nas verificações públicas", "passed the public checks"),
    "quiz_answered": ("respondida: a resposta é corrigida depois da entrega", "answered: the answer is graded after you submit"),
    "points_of": ("{score:g} de {points:g} pontos", "{score:g} of {points:g} points"),
    "total": ("Total", "Total"),
    # --- Gradescope (results.json's summary; rnnquiz.gradescope.run_autograder) ---
    "gs_score": ("Nota: {points}.", "Score: {points}."),
    "gs_cells": (
        "Células que levantaram erros (o resto do notebook foi corrigido sem elas):",
        "Cells that raised errors (the rest of the notebook was graded without them):"),
    "gs_not_graded": (
        "A entrega não foi corrigida:",
        "This submission was not graded:"),
    "gs_question_not_graded": (
        "não corrigida: veja a mensagem no topo da página.",
        "not graded: see the message at the top of the page."),
    "gs_no_notebook": (
        "a entrega não tem nenhum notebook (.ipynb); envie o seu {name}.",
        "the submission holds no notebook (.ipynb); upload your {name}."),
    "gs_several_notebooks": (
        "a entrega tem {count} notebooks ({names}) e nenhum se chama {name}; envie só o seu notebook.",
        "the submission holds {count} notebooks ({names}) and none is named {name}; upload your notebook only."),
    "gs_failed": (
        "O corretor automático falhou nesta entrega (um problema do corretor, não do seu notebook); o professor vê os detalhes. Envie de novo mais tarde ou avise o professor.",
        "The autograder failed on this submission (a problem on the grader's side, not in your notebook); your instructor can see the details. Submit again later or tell your instructor."),
    # --- HTML removed from a submitted markdown or raw cell (untrusted_html) ---
    "html_removed": (
        "rnnquiz removeu HTML desta célula: {items}",
        "rnnquiz removed HTML from this cell: {items}"),
    "html_shown_as_code": (
        "rnnquiz removeu HTML desta célula: {items}; o texto da célula aparece como código",
        "rnnquiz removed HTML from this cell: {items}; the cell's text is shown as code"),
    "html_not_checked": (
        "rnnquiz não verificou o HTML desta célula (grande demais) e o mostra como texto",
        "rnnquiz did not check this cell's HTML (the cell is too large) and shows it as plain text"),
    "html_attribute": ("atributo {name}", "{name} attribute"),
    "html_link": ("link {scheme}", "{scheme} link"),
    "html_malformed": ("HTML malformado", "malformed HTML"),
}

ECHO_LIMIT = 300  # characters of any one value echoed into feedback
_ESCAPES = re.compile(r"(?:\x1b\[|\x9b)[0-9;?]*[A-Za-z]")  # whole terminal sequences: colours in a message


def clip(value, limit: int = ECHO_LIMIT) -> str:
    """A value as feedback may show it: terminal sequences removed, one line of
    printable text (``printable``), at most ``limit`` characters."""
    text = printable(_ESCAPES.sub("", str(value)[: limit * 4]))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text(key: str, lang: str, **params) -> str:
    """A message in ``lang``; unknown params or keys never break feedback.

    Every value is bounded (numbers keep their type for format specs): what a
    student's code returned or raised can never flood a report."""
    table = MESSAGES.get(key)
    if table is None:
        return clip(key)
    template = table[LANGS.index(lang) if lang in LANGS else len(LANGS) - 1]
    params = {k: v if type(v) in (int, float, bool) else clip(v) for k, v in params.items()}
    try:
        return template.format(**params)
    except (KeyError, ValueError, IndexError):
        return template
