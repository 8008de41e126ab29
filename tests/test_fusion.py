"""Fusion of dense and lexical rankings on a corpus of short French technical sections.

The sections all speak of files, commands and the system, the way a manual does, and two of them
carry a wrong language label (technical French that a statistical identifier reads as English).
On such a corpus the fused ranking must not find fewer right sections than the dense ranking
alone: BM25 may reorder what the encoder finds plausible, never bury it.
"""

from __future__ import annotations

import pytest

from chatbot.ingest.loaders import build_article
from chatbot.store.lexical import query_tokens
from chatbot.text.words import prose_language

SECTIONS = {
    "umask": ("Permissions des nouveaux fichiers",
              "Les droits donnés à un fichier que l'on vient de créer sont restreints par le masque umask. "
              "Avec la valeur 0022, un fichier est créé en lecture et écriture pour son propriétaire et en "
              "lecture seule pour le groupe et les autres. La commande umask sans argument affiche la valeur "
              "courante ; on la change dans ~/.bashrc pour qu'elle dure."),
    "cron": ("Tâches planifiées",
             "Pour lancer une tâche à heure fixe, on écrit une ligne dans la table de cron de l'utilisateur "
             "avec crontab -e. Les cinq premiers champs donnent la minute, l'heure, le jour du mois, le mois "
             "et le jour de la semaine ; le reste est la commande à exécuter. Le démon cron relit la table "
             "chaque minute."),
    "df": ("Place occupée sur le disque",
           "La commande df -h montre pour chaque système de fichiers monté la taille, l'espace utilisé et "
           "l'espace libre. Pour savoir quels répertoires occupent le plus de place, du -sh * dans un "
           "répertoire donne la taille de chacun de ses sous-répertoires."),
    "ssh": ("Connexion sans mot de passe",
            "On crée une paire de clés avec ssh-keygen, puis on copie la clé publique sur la machine distante "
            "avec ssh-copy-id. La connexion suivante se fait sans mot de passe distant ; la phrase de passe de "
            "la clé privée peut être gardée en mémoire par ssh-agent pendant la session."),
    "tar": ("Archiver un répertoire",
            "Pour mettre tout un répertoire dans une seule archive compressée, tar -czf sauvegarde.tar.gz "
            "dossier/ suffit ; tar -xzf sauvegarde.tar.gz la décompresse. L'option -t liste le contenu de "
            "l'archive sans rien extraire."),
    "nice": ("Priorité des processus",
             "La valeur de politesse d'un processus règle sa part du processeur : de -20, le plus prioritaire, "
             "à 19, le moins prioritaire. nice lance une commande avec une politesse donnée, renice change "
             "celle d'un processus déjà lancé. Seul l'administrateur peut baisser la valeur."),
    "locale": ("Messages traduits",
               "Les programmes affichent leurs messages dans la langue choisie par la variable LANG, par exemple "
               "fr_FR.UTF-8. Les traductions viennent des paquets de langue ; dpkg-reconfigure locales génère "
               "les paramètres linguistiques manquants."),
    "iso": ("Monter une image ISO",
            "Un fichier d'image ISO9660 se monte sans le graver : mount -o loop image.iso /mnt rend ses fichiers "
            "lisibles sous /mnt. umount /mnt le démonte quand on a fini de s'en servir."),
    "ldd": ("Bibliothèques partagées d'un programme",
            "ldd /usr/bin/programme liste les bibliothèques partagées dont dépend un exécutable et le chemin où "
            "chacune a été trouvée. Une ligne « not found » signale une bibliothèque absente du système."),
    "git": ("Identité dans git",
            "Avant le premier commit, git config --global user.name et git config --global user.email "
            "enregistrent le nom et l'adresse de courriel qui signeront chaque commit, dans ~/.gitconfig."),
    # technical French with few words of prose: the kind an identifier labels English
    "fifo": ("mkfifo", "mkfifo /tmp/tube ; ls -l /tmp/tube ; echo test > /tmp/tube & cat /tmp/tube : "
             "le fichier de type p transmet les données d'un processus à un autre, dans l'ordre, sans les "
             "garder sur le disque une fois qu'elles sont lues par le lecteur de la file."),
    "sysrq": ("Alt-SysRq", "echo 1 > /proc/sys/kernel/sysrq ; Alt-SysRq-s, Alt-SysRq-u, Alt-SysRq-b : la "
              "combinaison de touches permet de synchroniser les disques, de les remonter en lecture seule et "
              "de redémarrer la machine quand le système ne répond plus du tout."),
}
MISLABELLED = {"fifo", "sysrq"}
QUESTIONS = [
    ("Quels droits reçoit un fichier que je viens de créer ?", "umask"),
    ("Comment lancer une commande tous les jours à la même heure ?", "cron"),
    ("Comment savoir quels dossiers prennent le plus de place ?", "df"),
    ("Comment me connecter à un serveur distant sans taper de mot de passe ?", "ssh"),
    ("Comment compresser tout un dossier dans un seul fichier ?", "tar"),
    ("Comment rendre un processus moins prioritaire ?", "nice"),
    ("Comment avoir les messages des programmes en français ?", "locale"),
    ("Comment lire le contenu d'une image de CD sans la graver ?", "iso"),
    ("De quelles bibliothèques un exécutable a-t-il besoin ?", "ldd"),
    ("Comment indiquer mon nom et mon adresse pour les commits ?", "git"),
    ("Comment faire passer des données d'un processus à un autre par un fichier spécial ?", "fifo"),
    ("Que faire quand la machine est complètement bloquée ?", "sysrq"),
]


@pytest.fixture(scope="module")
def manual(tmp_path_factory: pytest.TempPathFactory, embedder):
    from chatbot.service.chat import ChatService
    from tests.conftest import settings_for

    service = ChatService(settings_for(tmp_path_factory.mktemp("manual")), embedder=embedder)
    service.indexer.add_articles([
        build_article(f"{key}.txt", text, title=title, doc_id=key, lang="en" if key in MISLABELLED else "fr")
        for key, (title, text) in SECTIONS.items()])
    service.index.refresh()
    return service


def _hits(ranked: list[list[str]], k: int) -> set[int]:
    return {i for i, (docs, (_, want)) in enumerate(zip(ranked, QUESTIONS, strict=True)) if want in docs[:k]}


def test_fused_ranking_finds_no_fewer_sections_than_dense_alone(manual):
    index = manual.index
    view = index.view()
    dense, fused = [], []
    for question, _ in QUESTIONS:
        qvec = manual.embedder.embed_queries([question])[0]
        dense.append([hit.doc_id for hit in index.dense(view, qvec, 5)])
        fused.append([p.doc_id for p in manual.search(question, k=5)])
    for k in (1, 5):
        lost = _hits(dense, k) - _hits(fused, k)
        assert len(_hits(fused, k)) >= len(_hits(dense, k)), (
            f"fused hit@{k} below dense alone; questions the fusion lost: {[QUESTIONS[i][0] for i in lost]}")
    assert len(_hits(fused, 5)) >= len(QUESTIONS) - 1


def test_mislabelled_technical_french_counts_as_french(manual):
    """Sections labelled English whose prose is French are tokenised as French: the corpus is
    monolingual for retrieval, so no per-language slot pushes them into unrelated results."""
    assert manual.index.view().lexical.langs == {"fr"}
    assert prose_language(SECTIONS["fifo"][1], "en", "fr") == "fr"
    assert prose_language("The shell prompt is shown after login; type exit to leave it.", "en", "fr") == "en"


def test_french_question_words_never_reach_the_lexical_query():
    tokens = query_tokens("Comment faire pour que le système démarre avec des options ?", {"fr", "en"})
    assert not {"comment", "le", "des", "pour", "que", "avec"} & set(tokens)
    assert any(t.startswith("system") for t in tokens)


# A French manual with two untranslated English pages, and a small news corpus in two languages:
# the reading of a passage within its own language (chatbot.retrieval.readings) must lift a
# language that stands out for the question, not the best page of a language that does not.
ENGLISH_PAGES = {
    "mouse": ("Mouse operations", "The left button selects text, the middle button pastes the selection and the "
              "right button extends it. A wheel scrolls the terminal's scrollback buffer; gpm gives the same "
              "operations on the Linux console."),
    "fonts": ("Font rasterization", "Outline fonts are rendered by FreeType with hinting and anti-aliasing; "
              "fontconfig chooses a font matching the requested family, weight and slant, and fc-cache "
              "rebuilds the cache of installed fonts."),
}
NEWS = {
    "en-talks": ("Talks on Libya's unity government stall",
                 "Negotiators from the rival parliaments in Tripoli and Tobruk met in Tunis on Monday but failed "
                 "to agree on the make-up of a presidential council. The United Nations envoy said talks would "
                 "resume next week and urged both sides to compromise on the security portfolio."),
    "en-oil": ("Libyan oil output recovers",
               "Libya's National Oil Corporation said production climbed above one million barrels a day after "
               "guards ended a blockade of the eastern terminals of Ras Lanuf and Es Sider. Exports through "
               "the ports resumed on Thursday."),
    "en-migrants": ("Migrants stranded in Libyan detention centres",
                    "Aid agencies warned that thousands of migrants held in detention centres near Tripoli lack "
                    "food and medical care. The International Organization for Migration organised return "
                    "flights for some of them to Niger and Nigeria."),
    "en-haftar": ("Haftar's forces advance in the east",
                  "Forces loyal to the eastern commander Khalifa Haftar took control of several districts of "
                  "Benghazi after weeks of fighting with Islamist militias, a spokesman for his Libyan National "
                  "Army said."),
    "fr-gas": ("Un contrat gazier signé à Rome",
               "La compagnie italienne Eni et la compagnie nationale libyenne ont signé à Rome un accord de huit "
               "milliards de dollars pour développer deux gisements de gaz au large de Tripoli. La production "
               "doit commencer en 2022 et alimentera surtout le marché libyen."),
    "fr-roses": ("Tailler les rosiers", "On taille les rosiers à la fin de l'hiver, quand les bourgeons commencent "
                 "à gonfler. Il faut couper au-dessus d'un œil tourné vers l'extérieur et retirer le bois mort."),
    "fr-pastry": ("La pâte brisée", "Pour une pâte brisée, on mélange la farine et le beurre froid du bout des "
                  "doigts, puis on ajoute un œuf et un peu d'eau. La pâte repose une heure au frais avant "
                  "d'être étalée."),
    "fr-brakes": ("Régler les freins d'un vélo", "Quand les patins frottent, on desserre le câble, on centre "
                  "l'étrier et on resserre. Des patins usés jusqu'aux rainures se changent."),
}


def _service(folder, embedder, texts: dict[str, tuple[str, str]], langs: dict[str, str]):
    from chatbot.service.chat import ChatService
    from tests.conftest import settings_for

    service = ChatService(settings_for(folder), embedder=embedder)
    service.indexer.add_articles([build_article(f"{key}.txt", text, title=title, doc_id=key, lang=langs[key])
                                  for key, (title, text) in texts.items()])
    service.index.refresh()
    return service


def _lifted_above_closer(service, question: str, lang: str) -> list[str]:
    """Articles in ``lang`` shown among the first three above an article the encoder finds closer."""
    found = service.retriever.search(question, k=5).candidates[:3]
    return [c.meta["doc_id"] for i, c in enumerate(found) if c.meta.get("lang") == lang
            and any(o.dense > c.dense and o.meta.get("lang") != lang for o in found[i + 1:])]


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory, embedder):
    manual = {**{k: v for k, v in SECTIONS.items() if k not in MISLABELLED}, **ENGLISH_PAGES}
    return (_service(tmp_path_factory.mktemp("manual-en"), embedder, manual,
                     {k: "en" if k in ENGLISH_PAGES else "fr" for k in manual}),
            _service(tmp_path_factory.mktemp("news-fr"), embedder, NEWS, {k: k[:2] for k in NEWS}))


def test_a_language_with_nothing_on_the_question_is_not_lifted_over_closer_passages(bilingual):
    """The best page of a language whose passages are all about other things stays where the encoder
    puts it (before, every French question of the manual showed an English page second)."""
    manual, news = bilingual
    assert manual.index.view().lexical.langs == {"fr", "en"}
    lifted = {q: _lifted_above_closer(manual, q, "en") for q, key in QUESTIONS if key not in MISLABELLED}
    assert not any(lifted.values()), f"untranslated pages shown above closer French sections: {lifted}"
    for question in ("Which countries did migrants fly back to?", "Where did negotiators from the rival "
                     "parliaments meet?", "How many barrels a day does Libya produce?"):
        assert not _lifted_above_closer(news, question, "fr"), (
            f"a French article on another subject shown above closer English ones for {question!r}")


def test_the_language_that_answers_still_comes_first(bilingual):
    """English questions whose answer is the one French article find it first."""
    _, news = bilingual
    for question in ("How much is the gas deal signed in Rome by Eni and Libya's oil company worth?",
                     "When should production start at the two offshore gas fields near Tripoli?"):
        assert news.search(question, k=5)[0].doc_id == "fr-gas", question
