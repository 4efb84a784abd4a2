"""The participants' survey and what follows a training (issue 27).

This package owns: the survey's questions (made from the training's programme, edited by the
official, copied with the plan), the links without an account (participants' one-time links,
the shared link of the 研修次第, the groups' findings links, the municipalities' follow-up
links; tokens stored hashed), storing answers with no tie to a person, the results and the
comments held by the anonymity check, the groups' findings, the follow-up reach, and the
retrospective's changes for next time. Pure rules live in planner.domain.survey; the report
builders in exports.survey_report.
"""
