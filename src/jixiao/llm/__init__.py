"""The LLM engines (``llm``, ``hybrid``): structured extraction with instructor over any
OpenAI-compatible endpoint, grounded in the source text. See docs/llm.md.

Modules by pipeline stage: ``settings`` (configuration), ``prompts`` (prompt files ->
messages), ``schema`` (what the model returns), ``client`` (requests, retries, failures),
``grounding`` and ``injection`` (is every value in the source?), ``convert`` (answer -> Form),
``sanity`` (hybrid's self-checks of the rules reading), ``cache``, ``usage``, and ``engine``
(the orchestration; ``engine.get(name)`` is what ``jixiao.engines`` calls).
"""
