"""A question that names someone sees the passage naming them (chatbot.retrieval.named).

The encoder knows nothing of a rare name: "Who is Tamsin Okonkwo?" is about as close to every
passage that introduces a person as to the one that names her, which here is mostly about fishing
quotas. BM25 finds that passage first; the fusion, which does not let word matches outvote the
encoder, ranked it out of the first five. The answer must come from the passage that names her,
and a name no article spells must still be refused.
"""

from __future__ import annotations

import pytest

from chatbot.ingest.loaders import build_article
from chatbot.retrieval.named import cover_names, spells

PEOPLE = {
    "mayor": ("Mayor opens the new tram line",
              "The mayor of the city, a former teacher elected in 2014, opened the new tram line on Monday. "
              "She said the line would carry 40,000 passengers a day and thanked the engineers who built it."),
    "coach": ("Coach leaves after ten seasons",
              "The head coach of the national rugby team, a former player who won two titles, announced his "
              "departure. He is known for his strict training and for bringing young players into the side."),
    "judge": ("Judge blocks the port contract",
              "A federal judge appointed in 2009, who spent twenty years as a prosecutor, blocked the port "
              "contract on Friday. The judge said the city had not consulted the residents."),
    "author": ("Novelist wins the book prize",
               "The novelist, who grew up in a mining town and worked as a nurse before writing, won the "
               "national book prize for her third novel, a story of two sisters."),
    "envoy": ("Envoy arrives for the talks",
              "The special envoy, a veteran diplomat who served as ambassador in three capitals, arrived for "
              "the talks. He is expected to meet both delegations before the weekend."),
    "chef": ("Chef opens a restaurant by the river",
             "The chef, trained in Lyon and known for his television show, opened a restaurant by the river. "
             "He said the menu would change every week with the market."),
    "surgeon": ("Surgeon honoured for her work",
                "A surgeon who pioneered a heart operation on newborns was honoured by the medical academy. "
                "She trained hundreds of doctors in four countries over her career."),
    "activist": ("Activist released after a week",
                 "The activist, a student leader who organised the campus protests, was released after a week "
                 "in detention. His lawyer said no charge had been brought."),
    "pilot": ("Pilot lands the damaged plane safely",
              "The pilot, a former air force instructor with 12,000 flying hours, landed the damaged plane "
              "on one engine. Passengers applauded as she walked through the cabin."),
    "mathematician": ("Mathematician solves an old problem",
                      "A mathematician who left school at sixteen and taught herself from library books has "
                      "solved a problem open for sixty years. Her proof runs to forty pages."),
    "farmer": ("Farmer turns his land into a forest",
               "The farmer, the fourth generation of his family on the land, has planted 30,000 trees on "
               "fields his father grew wheat on. He says the forest will outlive him."),
    "architect": ("Architect chosen for the new library",
                  "The architect, born in Accra and trained in London, was chosen to design the new library. "
                  "Her buildings are known for their courtyards and their use of local stone."),
    "violinist": ("Violinist returns to the concert hall",
                  "The violinist, a child prodigy who gave her first concert at nine, returns to the hall where "
                  "she began. She now teaches at the conservatory."),
    "captain": ("Captain of the rescue ship speaks",
                "The captain of the rescue ship, a merchant sailor for thirty years, said his crew had taken "
                "two hundred people aboard in one night."),
    "inventor": ("Inventor of the cheap water filter",
                 "The inventor, an engineer who grew up without running water, designed a filter that costs "
                 "less than a dollar. Her company has sold a million of them."),
    "historian": ("Historian finds the lost letters",
                  "A historian who has spent a decade in the city archives found the lost letters of the "
                  "founder. He will publish them next year."),
    "fishing": ("Quotas cut for the cod fishery",
                "The ministry cut the cod quotas by a fifth for the coming season, after two years of falling "
                "catches in the northern waters. Trawler owners said the cut would cost hundreds of jobs in the "
                "harbour towns, and the fleet will stay in port for six weeks in spring. Prices at the fish "
                "auction rose by a third on the news. The stocks could recover within five years if the limits "
                "were kept, said Tamsin Okonkwo, of the Northern Fisheries Institute, whose surveys the "
                "ministry used."),
}


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory, embedder):
    from chatbot.service.chat import ChatService
    from tests.conftest import settings_for

    service = ChatService(settings_for(tmp_path_factory.mktemp("people")), embedder=embedder)
    service.indexer.add_articles([build_article(f"{key}.txt", text, title=title, doc_id=key, lang="en")
                                  for key, (title, text) in PEOPLE.items()])
    service.index.refresh()
    return service


def test_the_passage_naming_a_rare_name_is_among_the_results(people):
    question = "Who is Tamsin Okonkwo?"
    found = [p.doc_id for p in people.search(question, k=5)]
    assert "fishing" in found[:4], f"the only passage naming her is not among the first four: {found}"


def test_the_answer_comes_from_the_passage_naming_her(people):
    answer = people.ask("Who is Tamsin Okonkwo?")
    assert not answer.refused, answer.answer
    assert any(c.doc_id == "fishing" and "Tamsin Okonkwo" in c.quote for c in answer.citations), answer.citations
    assert "Northern Fisheries Institute" in answer.answer
    # who someone is: the quote that describes her answers, not another name cut out of it
    assert answer.short_answer is None and answer.answer.startswith("According to the articles")


def test_a_name_no_article_spells_is_still_refused(people):
    answer = people.ask("Who is Pavla Reinholt?")
    assert answer.refused, answer.answer


def test_a_name_is_spelled_word_for_word():
    assert spells("Micah Zenko", "said Micah Zenko, an expert")
    assert spells("Fayez al-Serraj", "le chef du GNA, Fayez Al-Serraj, a dit")  # particle, case
    assert not spells("Bob Ferguson", "the police of Ferguson, Missouri")  # one word of two
    assert not spells("Zenko", "Zenkovich said")  # a whole word, not a prefix


class _Cand:
    def __init__(self, text: str) -> None:
        self.text, self.meta = text, {"title": ""}


def test_names_already_shown_change_nothing():
    heads = [_Cand(t) for t in ("Khalifa Haftar said", "the army", "Haftar again", "talks", "weather", "his son")]
    assert cover_names("What did Khalifa Haftar say?", heads, 5) == heads
    moved = cover_names("What did Micah Zenko say?", [*heads, _Cand("Micah Zenko said no")], 5)
    assert moved[3].text == "Micah Zenko said no" and len(moved) == len(heads) + 1


def test_a_full_name_with_the_question_other_names_is_brought_in():
    heads = [_Cand(t) for t in ("a visit to Poland", "Poland's army", "talks", "trade", "weather")]
    moscow, warsaw = _Cand("Sigmar Gabriel arrived in Moscow"), _Cand("Sigmar Gabriel went to Poland")
    # his visit to Moscow does not answer a question about Poland, which the passages shown spell
    assert cover_names("When did Sigmar Gabriel visit Poland?", [*heads, moscow], 5)[3] is not moscow
    assert cover_names("When did Sigmar Gabriel visit Poland?", [*heads, moscow, warsaw], 5)[3] is warsaw
    # a single word (a place, a surname) is left to the ranking
    assert cover_names("When did Gabriel visit Poland?", [*heads, warsaw], 5)[3] is heads[3]


def test_a_name_spelled_only_past_the_passages_an_answer_reads_is_moved_up():
    # a search for five passages whose fifth alone names him: the answer reads the first four
    heads = [_Cand(t) for t in ("a shooting in a bar", "the travel order", "students", "the courts")]
    named = _Cand("Adam Lauridsen, a San Francisco attorney, said")
    moved = cover_names("Who is Adam Lauridsen?", [*heads, named, _Cand("weather")], 5)
    assert moved.index(named) == 3
