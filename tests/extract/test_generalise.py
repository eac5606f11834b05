"""Rules that carry from the development sets to unseen text: structural evidence, not word lists.

Each test pins one error class found on the second development set (dev2) and checked on the
first one and SciERC train (see kg/extract/model/MODEL.md)."""

from __future__ import annotations

from functools import partial

from kg import extract
from kg.extract.lexicon import is_family, is_task_category, task_names
from kg.extract.scheme import load_scheme

extract_text = partial(extract.extract_text, model=False)


def labels(text: str) -> dict[str, str]:
    return {m.label: m.type for m in extract_text(text)}


def test_a_task_name_and_a_method_head_is_a_family_not_a_method() -> None:
    tasks = task_names(load_scheme())
    assert is_task_category("RL algorithms", tasks)
    assert is_task_category("meta-learning methods", tasks)
    assert not is_task_category("policy gradient methods", tasks)  # Policy Gradient is a method
    assert not is_task_category("federated optimization", tasks)  # no method head
    assert not is_task_category("RL", tasks)
    assert is_family("RL algorithms", tasks)
    assert not is_family("RL algorithm", tasks)  # "GCSL, a simple RL method": the relation patterns need it


def test_methods_of_a_task_leave_the_task() -> None:
    found = labels("We study RL algorithms and meta-learning algorithms for control.")
    assert found.get("Reinforcement Learning") == "Task"
    assert "Reinforcement Learning Algorithm" not in found
    assert "Meta-Learning Algorithm" not in found


def test_a_lower_case_name_modifying_a_head_gives_way_to_the_longer_phrase() -> None:
    found = labels("We evaluate on dialogue state tracking.")
    assert found == {"Dialogue State Tracking": "Task"}


def test_a_name_joined_by_a_hyphen_stays_the_mention() -> None:
    found = labels("We train a transformer-based ASR network.")
    assert "Transformer" in found


def datasets(text: str) -> set[str]:
    return {m.text for m in extract_text(text) if m.type == "Dataset"}


def test_coined_names_after_a_dataset_head_are_datasets() -> None:
    found = datasets("We use a large-scale dataset MultiDomain and benchmarks such as Meta-Dataset.")
    assert {"MultiDomain", "Meta-Dataset"} <= found


def test_what_experiments_are_run_on_is_data() -> None:
    assert {"PASCAL3D+", "ObjectNet3D"} <= datasets("Our experiments on PASCAL3D+ and ObjectNet3D show gains.")


def test_coined_names_in_brackets_after_a_task_are_its_data() -> None:
    assert {"FewRel", "TACRED"} <= datasets("It improves relation classification (FewRel and TACRED).")


def test_a_list_is_read_up_to_its_first_uncoined_item() -> None:
    assert not datasets("Our experiments on Adam and Transformers show gains.")
    assert not datasets("It helps image classification (Smith and Jones).")


def test_a_known_name_is_widened_to_the_noun_phrase_it_ends() -> None:
    found = {
        m.text: (m.label, m.type)
        for m in extract_text("We study visual summarization in protein representation learning.")
    }
    assert found["visual summarization"] == ("Summarization", "Task")
    assert found["protein representation learning"] == ("Representation Learning", "Task")


def test_descriptive_words_and_following_nouns_stop_the_widening() -> None:
    texts = {m.text for m in extract_text("A novel summarization works; summarization quality matters.")}
    assert "summarization" in texts
    assert not any(t.startswith("novel") for t in texts)


def test_lower_case_names_the_tagger_leaves_are_the_noun_phrase_rules() -> None:
    found = {m.text: m.rule for m in extract.extract_text("We use hierarchical attention networks.", model=True)}
    assert found == {"hierarchical attention networks": "phrase:method"}


def test_a_grouping_concepts_bare_names_are_its_own() -> None:
    found = labels("We compare policy gradient, actor-critic and Nelder-Mead with model compression.")
    assert found.get("Policy Gradient Method") == "Method"
    assert found.get("Actor-Critic Method") == "Method"
    assert found.get("Nelder-Mead Method") == "Method"
    assert "Model Compression Method" not in found  # the field, not one of its methods


def test_the_verb_of_an_infinitive_does_not_start_a_phrase() -> None:
    found = labels("It is hard to integrate segmented models and easy to apply graph convolution networks.")
    assert "Integrate Segmented Model" not in found
    assert not any(label.startswith("Integrate") for label in found)


def test_a_dimension_modifies_a_phrase_but_names_no_dataset() -> None:
    found = {m.text: m.label for m in extract_text("3D pose estimation on a 2D toy dataset.")}
    assert found == {"3D pose estimation": "Pose Estimation"}
