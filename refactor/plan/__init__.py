"""The stage plan: the builder stage (the user's build steps, in order, with their comments),
the runtime base that can run the program, what to copy into it and what to carry over. One
module per concern: :mod:`.runtime` (the base), :mod:`.copies` (what goes into it),
:mod:`.chains` (splitting ``&&`` chains), :mod:`.user` (USER), :mod:`.stages` (assembling)."""

from dockerslim_refactor.plan.chains import split_chain
from dockerslim_refactor.plan.copies import artifact_summary
from dockerslim_refactor.plan.model import CopyStep, PlanError, RuntimeBase, StagePlan
from dockerslim_refactor.plan.runtime import RuntimeNeeds, choose_runtime, fits, runtime_needs
from dockerslim_refactor.plan.stages import BUILD_ONLY_ENV, build_plan

__all__ = [
    "BUILD_ONLY_ENV",
    "CopyStep",
    "PlanError",
    "RuntimeBase",
    "RuntimeNeeds",
    "StagePlan",
    "artifact_summary",
    "build_plan",
    "choose_runtime",
    "fits",
    "runtime_needs",
    "split_chain",
]
