"""The process direction plan ("procesregieplan") of a case: goals in the family's own words with the
help agreed per goal, review moments, agreed versions, fitting help started, and the plan as a PDF
for the conversation with the family."""
